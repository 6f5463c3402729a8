/** Helpers of the packaging tests (private; never published). */
export { exportSpecifiers, publishablePackages, REPO_ROOT, workspacePackages, type Manifest, type WorkspacePackage } from "./workspace.js";
export { pnpmPack, tarballEntries, tarballText, type Packed } from "./pack.js";
export { npmInstall, type LockEntry } from "./install.js";
export { run, runOk, startJsonLine, type Running, type RunResult } from "./process.js";
export { mapFiles, sourceMapProblems } from "./sourcemaps.js";
