/**
 * Report writers: `checks.json` (the whole run, documented in the README), `junit.xml` (for CI
 * dashboards) and `summary.md` (a table people read), plus the one-line console summary.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdapterReport, CheckResult } from "../runner/run.js";

/** The whole run as written to `checks.json`. */
export interface RunDocument {
  tool: "@speechwire/conformance";
  /** Version of the `checks.json` shape. */
  format: 1;
  startedAt: string;
  finishedAt: string;
  seed: number;
  runs: number;
  suites: string[];
  /** The one command that reruns this run, the seed written out (also when it was random). */
  rerun?: string;
  adapters: AdapterReport[];
  /** Whether the run passed: no unexpected failure and no stale baseline entry. */
  ok: boolean;
}

/** Whether a report passes (no unexpected failure, no stale baseline entry). */
export function reportOk(report: AdapterReport): boolean {
  return report.unexpected.length === 0 && report.stale.length === 0;
}

/** Escapes text for XML attributes and content (and drops characters XML 1.0 cannot hold). */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/gu, "&amp;")
    .replace(/</gu, "&lt;")
    .replace(/>/gu, "&gt;")
    .replace(/"/gu, "&quot;")
    .replace(/'/gu, "&apos;");
}

/** JUnit XML: one testsuite per adapter and suite, one testcase per check. */
export function junitXml(doc: RunDocument): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = doc.adapters.flatMap((a) => a.checks);
  const failures = doc.adapters.reduce((n, a) => n + a.checks.filter((c) => c.baseline === "unexpected" || c.baseline === "stale").length, 0);
  lines.push(`<testsuites name="speechwire-conformance" tests="${all.length}" failures="${failures}">`);
  for (const a of doc.adapters) {
    for (const suite of [...new Set(a.checks.map((c) => c.suite))]) {
      const checks = a.checks.filter((c) => c.suite === suite);
      const f = checks.filter((c) => c.baseline === "unexpected" || c.baseline === "stale").length;
      const s = checks.filter((c) => c.grade === "skipped" || c.baseline === "known").length;
      lines.push(`  <testsuite name="${escapeXml(`${a.adapter}.${suite}`)}" tests="${checks.length}" failures="${f}" skipped="${s}">`);
      for (const c of checks) lines.push(...testcase(a.adapter, c));
      lines.push("  </testsuite>");
    }
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

function testcase(adapter: string, c: CheckResult): string[] {
  const open = `    <testcase classname="${escapeXml(adapter)}" name="${escapeXml(c.id)}">`;
  const detail = escapeXml(`${c.statement} (${c.section})${c.reason ? `: ${c.reason}` : ""}`);
  if (c.baseline === "unexpected") return [open, `      <failure message="${escapeXml(c.reason ?? "failed")}">${detail}</failure>`, "    </testcase>"];
  if (c.baseline === "stale") return [open, `      <failure message="stale baseline entry: the check now grades ${c.grade}">${detail}</failure>`, "    </testcase>"];
  if (c.grade === "skipped") return [open, `      <skipped message="${escapeXml(c.reason ?? "skipped")}"/>`, "    </testcase>"];
  if (c.baseline === "known") return [open, `      <skipped message="${escapeXml(`known ${c.grade} (baseline): ${c.reason ?? ""}`)}"/>`, "    </testcase>"];
  if (c.grade === "warning") return [open, `      <system-out>${escapeXml(`warning: ${c.reason ?? ""}`)}</system-out>`, "    </testcase>"];
  return [`    <testcase classname="${escapeXml(adapter)}" name="${escapeXml(c.id)}"/>`];
}

const ICON: Record<string, string> = { pass: "✅ pass", fail: "❌ fail", warning: "⚠️ warning", skipped: "⏭️ skipped" };

/** Escapes a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/gu, "\\|").replace(/\r?\n/gu, " ");
}

/** Markdown summary: totals per adapter, then a table of every check. */
export function summaryMarkdown(doc: RunDocument): string {
  const out = [`# speechwire conformance`, "", `Seed ${doc.seed}, ${doc.runs} generated cases per suite, suites ${doc.suites.join(", ")}. ${doc.ok ? "**OK**" : "**FAILED**"}`, ""];
  if (doc.rerun) out.push("Rerun the whole run:", "", "```sh", doc.rerun, "```", "");
  for (const a of doc.adapters) {
    out.push(`## ${a.adapter}`, "", oneLine(a), "");
    out.push("| check | grade | baseline | section | what must hold | detail |", "|---|---|---|---|---|---|");
    for (const c of a.checks) {
      out.push(`| \`${c.id}\` | ${ICON[c.grade]} | ${c.baseline ?? ""} | ${cell(c.section)} | ${cell(c.statement)} | ${cell(c.reason ?? `${c.cases.length} case(s)`)} |`);
    }
    if (a.counterexamples.length > 0) {
      out.push("", "Counterexamples:", "");
      for (const x of a.counterexamples) out.push(`- ${x.checks.join(", ")}: \`${x.file}\` — replay: \`${x.replay}\``);
    }
    if (a.stale.length > 0) {
      out.push("", "Stale baseline entries (the check no longer has this grade; remove them):", "");
      for (const s of a.stale) out.push(`- \`${s.check}\` (${s.grade})`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** The one-line summary of an adapter's run. */
export function oneLine(a: AdapterReport): string {
  const t = a.totals;
  const verdict = reportOk(a) ? "OK" : `FAILED (${[...(a.unexpected.length ? [`unexpected: ${a.unexpected.join(", ")}`] : []), ...(a.stale.length ? [`stale baseline: ${a.stale.map((s) => s.check).join(", ")}`] : [])].join("; ")})`;
  return `${a.adapter}: ${t.pass} pass, ${t.fail} fail, ${t.warning} warning, ${t.skipped} skipped over ${a.cases} case${a.cases === 1 ? "" : "s"} — ${verdict}`;
}

/** Writes checks.json, junit.xml and summary.md into `dir`. */
export function writeReports(dir: string, doc: RunDocument): { checks: string; junit: string; summary: string } {
  mkdirSync(dir, { recursive: true });
  const files = { checks: join(dir, "checks.json"), junit: join(dir, "junit.xml"), summary: join(dir, "summary.md") };
  writeFileSync(files.checks, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(files.junit, junitXml(doc));
  writeFileSync(files.summary, summaryMarkdown(doc));
  return files;
}
