#!/usr/bin/env node
/**
 * The `speechwire-conformance` executable. It always runs the CLI, however it was started: through
 * npm's or pnpm's `node_modules/.bin` symlink or shim, `npx`, or `node dist/bin.js`.
 */
import { runProgram } from "./cli.js";

runProgram();
