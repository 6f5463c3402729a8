/**
 * A benchmark hook loaded into the mock's process (`node --import ./bench/no-journal.mjs dist/cli.js`):
 * turns the journal's frame recording (and so its strict linter) into no-ops, so that part (c) can
 * measure the same TTS workload with the journal and linter on and off in one run. It patches the
 * `SessionJournal` of the build being run (found next to the CLI in `process.argv[1]`). Not part of the mock.
 */
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const journal = await import(pathToFileURL(join(dirname(process.argv[1]), "server", "journal.js")).href);
for (const method of ["text", "binary", "close"]) journal.SessionJournal.prototype[method] = () => {};
