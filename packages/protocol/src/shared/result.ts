import type * as z from "zod";

/** Why a frame or value could not be read. */
export type ParseFailureReason =
  | "invalid_json"
  | "unexpected_binary"
  | "unexpected_text"
  | "unknown_type"
  | "invalid_message";

/** One field-level problem: `path` names the field (`turn.end_threshold`, `voice.id`, `(root)`). */
export interface ParseIssue {
  path: string;
  message: string;
}

/** A failed parse: a reason, a one-line message that names the field, and every issue found. */
export interface ParseFailure {
  reason: ParseFailureReason;
  message: string;
  issues: ParseIssue[];
}

/** The outcome of every parse in this package: parse helpers never throw on bad input. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ParseFailure };

/** Wraps a value as a successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Builds a failed result from a reason and issues (the message lists them, field first). */
export function fail<T = never>(reason: ParseFailureReason, issues: ParseIssue[]): Result<T> {
  const message = issues.map((i) => (i.path === "(root)" ? i.message : `${i.path}: ${i.message}`)).join("; ");
  return { ok: false, error: { reason, message, issues } };
}

/** Formats a zod path (`["turn", "end_threshold"]`) the way the protocol docs write fields. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

/** Turns zod issues into field-named issues, flattening union branches to the most specific ones. */
export function issuesFromZod(error: z.core.$ZodError): ParseIssue[] {
  const out: ParseIssue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === "invalid_union" && issue.errors.length > 0) {
        // Report the branch that got furthest (most deeply nested issue), not every branch.
        const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
        visit(best, path);
        continue;
      }
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: "unknown field" });
        continue;
      }
      out.push({ path: formatPath(path), message: issue.message });
    }
  };
  visit(error.issues, []);
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  // Prefer the branch whose type tag matched: its issues point below the root.
  let best = 0;
  for (const i of issues) best = Math.max(best, i.path.length + (i.code === "invalid_value" && i.path[0] === "type" ? -10 : 0));
  return best - issues.length / 100;
}

/** Runs a zod schema and converts its outcome into a `Result`. */
export function fromZod<T>(schema: z.ZodType<T>, value: unknown): Result<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? ok(parsed.data) : fail("invalid_message", issuesFromZod(parsed.error));
}
