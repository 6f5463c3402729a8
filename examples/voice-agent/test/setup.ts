/** Runs before every test file: fails the file if any promise rejection goes unhandled while its tests run. */
import { failOnUnhandledRejections } from "@speechwire/testing";

failOnUnhandledRejections();
