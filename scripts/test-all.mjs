#!/usr/bin/env node
// Runs every package's typecheck and tests through turbo, then prints one closing line
// "N passed, N failed" that totals all packages (CI reads that line, not vitest's own summary).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspaceDirs = ["packages", "apps", "examples"].flatMap((group) => {
  const dir = join(root, group);
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
});
const reportOf = (dir) => join(dir, ".test-results", "vitest.json");

for (const dir of workspaceDirs) rmSync(join(dir, ".test-results"), { recursive: true, force: true });

// Browser tests drive Debian's chromium (playwright-core downloads no browser of its own).
const browser = spawnSync("bash", [join(root, "scripts", "ensure-browser.sh")], { stdio: "inherit" });
if (browser.status !== 0) console.log("chromium could not be installed: browser tests will fail");
// The conformance tests of the Python clients (pipecat, LiveKit) run in the chroot kit when there is one.
spawnSync("bash", [join(root, "scripts", "ensure-python-clients.sh")], { stdio: "inherit" });

// The bench's calibration tests measure real delays: they run after everything else, alone, so the
// other packages' tests do not load the machine's two cores while they measure.
const ALONE = ["@speechwire/bench"];
// Two tasks at a time (the machine's cores): turbo's default of ten starves every test of CPU, so
// generous timeouts still ran out (a 4 s property took 66 s) with no gain in wall time.
const turboRun = (filters) =>
  spawnSync("turbo", ["run", "typecheck", "test", "--continue", "--concurrency=2", "--output-logs=errors-only", ...filters], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "0" },
  });
const together = turboRun(ALONE.map((name) => `--filter=!${name}`));
const alone = turboRun(ALONE.map((name) => `--filter=${name}`));
const turbo = { status: together.status !== 0 ? together.status : alone.status };

let passed = 0;
let failed = 0;
// .ci/run must run the README's test command, word for word.
const readme = readFileSync(join(root, "README.md"), "utf8");
const testCommand = /# set up and run every test[^\n]*\n([^\n]+)/.exec(readme)?.[1]?.trim();
const ciRun = readFileSync(join(root, ".ci", "run"), "utf8");
if (!testCommand || !ciRun.split("\n").some((line) => line.trim() === testCommand)) {
  console.log(`.ci/run does not run the README's test command (${testCommand ?? "not found in README.md"})`);
  failed += 1;
}
let skipped = 0;
const rows = [];
for (const dir of workspaceDirs) {
  const file = reportOf(dir);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  const name = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
  const p = report.numPassedTests ?? 0;
  // A suite that failed to load has no tests of its own: count it as one failure so it cannot hide.
  const brokenSuites = (report.testResults ?? []).filter(
    (suite) => suite.status === "failed" && (suite.assertionResults ?? []).length === 0,
  ).length;
  const f = (report.numFailedTests ?? 0) + brokenSuites;
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  rows.push(`  ${name.padEnd(28)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed ${String(s).padStart(3)} skipped`);
}

console.log("\nTest summary by package:");
for (const row of rows) console.log(row);
if (turbo.status !== 0 && failed === 0) {
  // A typecheck or build failure produces no test report: make it count.
  console.log("  a typecheck, build or test task failed before reporting (see the log above)");
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || turbo.status !== 0 ? 1 : 0);
