/** What the helper does with sessions that broke protocol rules. */
import type { Violation } from "@speechwire/protocol";
import type { SessionRecord } from "../server/journal.js";

/**
 * `error`: a session with a broken rule fails the test (`reset()`, `nextSession` and `close()` throw);
 * `warn`: it is printed with `console.warn` when the session ends; `off`: only `s.violations` shows it.
 * A function gets each such session instead.
 */
export type OnViolation = "error" | "warn" | "off" | ((violations: Violation[], record: SessionRecord) => void);

const MODES = new Set(["error", "warn", "off"]);

/** Throws a clear error when `value` is not an `OnViolation`. */
export function checkOnViolation(value: unknown, where: string): OnViolation {
  if (typeof value === "function" || (typeof value === "string" && MODES.has(value))) return value as OnViolation;
  throw new TypeError(`${where}: onViolation must be "error", "warn", "off" or a function, got ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * The violations that count: severity `error` (a documented rule broken). `warning`s flag what is
 * allowed but undocumented; they stay on `s.violations` and never fail a test.
 */
export function brokenRules(record: SessionRecord): Violation[] {
  return record.violations.filter((v) => v.severity === "error");
}

/** One line per session and per broken rule: `s000003 stt-turns (scenario default): rule-id (§3.2): message`. */
export function describeViolations(records: SessionRecord[]): string {
  const lines: string[] = [];
  for (const record of records) {
    lines.push(`${record.id} ${record.endpoint} (scenario ${record.scenario}, ${record.path}):`);
    for (const v of brokenRules(record)) lines.push(`  ${v.rule} (§${v.section.replace(/^§/, "")}): ${v.message}`);
  }
  return lines.join("\n");
}

/** The Error that fails a test for these sessions. */
export function violationError(records: SessionRecord[]): Error {
  const rules = records.reduce((n, r) => n + brokenRules(r).length, 0);
  const error = new Error(
    `speechwire mock: ${records.length === 1 ? "a session" : `${records.length} sessions`} broke ${rules === 1 ? "a protocol rule" : `${rules} protocol rules`}` +
      ` (onViolation: "error"; pass "warn" or "off" to allow it):\n${describeViolations(records)}`,
  );
  error.name = "ProtocolViolationError";
  return error;
}
