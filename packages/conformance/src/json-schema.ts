/** The JSON Schema files of the stdin/stdout protocol and the baseline format (`schemas/`). */
import * as z from "zod";
import { adapterMessageSchema, capabilitiesSchema, caseResultSchema, caseSchema, observationEventSchema, runnerMessageSchema } from "./adapter/schema.js";
import { baselineSchema } from "./report/baseline.js";

/** File name → JSON Schema (draft 2020-12), generated from the Zod schemas. */
export function jsonSchemas(): Record<string, unknown> {
  const gen = (schema: z.ZodType, title: string, io: "input" | "output") => ({
    ...(z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>),
    title,
  });
  return {
    // What an adapter reads: defaults are filled in by the runner, so the output shape.
    "runner-message.json": gen(runnerMessageSchema, "runner → adapter message (one JSON line on stdin)", "output"),
    "case.json": gen(caseSchema, "case", "output"),
    // What an adapter writes: defaults may be left out, so the input shape.
    "adapter-message.json": gen(adapterMessageSchema, "adapter → runner message (one JSON line on stdout)", "input"),
    "capabilities.json": gen(capabilitiesSchema, "capabilities", "input"),
    "observation-event.json": gen(observationEventSchema, "observation event", "input"),
    "case-result.json": gen(caseResultSchema, "case result", "input"),
    "baseline.json": gen(baselineSchema, "baseline file", "input"),
  };
}
