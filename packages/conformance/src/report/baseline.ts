/**
 * Baselines: the known non-passing grades of an adapter. A listed failure does not fail the run; an
 * entry whose check no longer has that grade is stale and does (so baselines never rot).
 */
import { readFileSync } from "node:fs";
import * as z from "zod";

/** One known grade. */
export const baselineEntrySchema = z.strictObject({
  adapter: z.string().min(1),
  check: z.string().min(1),
  grade: z.enum(["fail", "warning", "skipped"]),
  /** Why, and who is at fault (client or protocol). */
  reason: z.string().optional(),
});
/** A baseline entry. */
export type BaselineEntry = z.output<typeof baselineEntrySchema>;

/** A baseline file: a JSON list of entries. */
export const baselineSchema = z.array(baselineEntrySchema);

/** The grade the baseline lists for a check of an adapter. */
export function baselineGrade(baseline: readonly BaselineEntry[], adapter: string, check: string): BaselineEntry["grade"] | undefined {
  return baseline.find((b) => b.adapter === adapter && b.check === check)?.grade;
}

/** Reads and validates a baseline file; throws an Error naming the file and the field. */
export function readBaseline(file: string): BaselineEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`baseline ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = baselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`baseline ${file}: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`);
  }
  return parsed.data;
}
