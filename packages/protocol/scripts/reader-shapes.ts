/**
 * Derives the zod-free reader's shape tables (`src/reader/shapes.ts`) from the zod schemas: one
 * schema, many outputs, like the JSON Schema files. `pnpm --filter @speechwire/protocol generate`
 * writes the file; test/reader.test.ts fails when the committed file differs from what this builds.
 *
 * A shape is a small JSON value the reader interprets (see src/reader/shapes.ts for the grammar).
 * Anything the walker does not know (a refinement, a codec, a strict object, a string check) throws,
 * so a schema change the reader cannot follow stops the generator instead of drifting silently.
 */
import type * as z from "zod";
import * as accessToken from "../src/endpoints/access-token.js";
import * as sttBatch from "../src/endpoints/stt-batch.js";
import * as sttTurns from "../src/endpoints/stt-turns.js";
import * as sttV1 from "../src/endpoints/stt-v1.js";
import * as tts from "../src/endpoints/tts.js";
import * as ttsBytes from "../src/endpoints/tts-bytes.js";
import * as ttsSse from "../src/endpoints/tts-sse.js";
import { httpErrorBodySchema } from "../src/shared/errors.js";
import { builder } from "../src/shared/strictness.js";

/** A shape value as written into the generated file. */
export type ShapeValue = string | number | boolean | null | ShapeValue[] | { [key: string]: ShapeValue };

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  checks?: { _zod: { def: { check: string; format?: string; value?: number; inclusive?: boolean } } }[];
  values?: unknown[];
  entries?: Record<string, string>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Options of the walk: `refinements: "ignore"` lets object refinements through (checked by hand, see turn-config.ts). */
interface WalkOptions {
  refinements: "reject" | "ignore";
}

/** Describes a zod schema as a reader shape; throws on anything the reader does not implement. */
export function describeSchema(schema: z.ZodType, options: WalkOptions = { refinements: "reject" }, path = "(root)"): ShapeValue {
  const def = defOf(schema);
  switch (def.type) {
    case "string":
      if (def.checks?.length) throw new Error(`${path}: string checks are not supported by the reader`);
      return "s";
    case "boolean":
      return "b";
    case "number": {
      let shape: ShapeValue = "n";
      const bounds: ShapeValue[] = [];
      for (const check of def.checks ?? []) {
        const c = check._zod.def;
        if (c.check === "number_format" && c.format === "safeint") shape = "i";
        else if (c.check === "greater_than" && typeof c.value === "number") bounds.push([">", c.value, c.inclusive === true ? 1 : 0]);
        else if (c.check === "less_than" && typeof c.value === "number") bounds.push(["<", c.value, c.inclusive === true ? 1 : 0]);
        else throw new Error(`${path}: number check ${c.check}${c.format ? ` (${c.format})` : ""} is not supported by the reader`);
      }
      // ["#", base, [op, bound, inclusive]…]: a number with bounds.
      return bounds.length ? ["#", shape, ...bounds] : shape;
    }
    case "literal":
      return ["l", ...(def.values as ShapeValue[])];
    case "enum":
      return ["l", ...Object.values(def.entries ?? {})];
    case "optional":
      return ["?", describeSchema(def.innerType as z.ZodType, options, path)];
    case "nullable":
      return ["N", describeSchema(def.innerType as z.ZodType, options, path)];
    case "array":
      return ["a", describeSchema(def.element as z.ZodType, options, `${path}[]`)];
    case "union":
      return ["u", ...(def.options ?? []).map((o, i) => describeSchema(o, options, `${path}|${i}`))];
    case "object": {
      if (def.catchall !== undefined) throw new Error(`${path}: objects with a catchall (strict) are not supported by the reader`);
      if (def.checks?.length && options.refinements === "reject") throw new Error(`${path}: object refinements are not supported by the reader`);
      const fields: Record<string, ShapeValue> = {};
      for (const [key, value] of Object.entries(def.shape ?? {})) fields[key] = describeSchema(value, options, path === "(root)" ? key : `${path}.${key}`);
      return ["o", fields];
    }
    default:
      throw new Error(`${path}: zod type ${def.type} is not supported by the reader`);
  }
}

/**
 * How a query or form field travels: `r` a repeatable string, `s` a string, or a number as text
 * described by its number shape (`n`, `i`, or bounded) so that the encoder checks what zod's does.
 */
export function describeWireFields(schema: z.ZodType): Record<string, ShapeValue> {
  const out: Record<string, ShapeValue> = {};
  for (const [key, value] of Object.entries(defOf(schema).shape ?? {})) {
    let def = defOf(value);
    if (def.type === "optional") def = defOf(def.innerType as z.ZodType);
    // numberParam / repeatedParam are codecs (pipes); a `.pipe()` after one nests another pipe.
    while (def.type === "pipe" && defOf(def.in as z.ZodType).type === "pipe") def = defOf(def.in as z.ZodType);
    const kind =
      def.type === "string" || def.type === "enum"
        ? "s"
        : def.type === "pipe" && defOf(def.out as z.ZodType).type === "number"
          ? describeSchema(def.out as z.ZodType, { refinements: "reject" }, key)
          : def.type === "pipe" && defOf(def.out as z.ZodType).type === "array"
            ? "r"
            : undefined;
    if (!kind) throw new Error(`${key}: wire field of type ${def.type} is not supported by the reader`);
    out[key] = kind;
  }
  return out;
}

/** Every table the reader needs, built from the lenient schemas (and the validating turn config). */
export function readerShapes(): Record<string, ShapeValue> {
  const v1 = sttV1.schemas();
  const turns = sttTurns.schemas();
  const t = tts.schemas();
  const sse = ttsSse.schemas();
  return {
    sttV1: { transcript: describeSchema(v1.transcript), flush_done: describeSchema(v1.flushDone), done: describeSchema(v1.done), error: describeSchema(v1.error) },
    sttTurns: {
      connected: describeSchema(turns.connected),
      "turn.start": describeSchema(turns.turnStart),
      "turn.update": describeSchema(turns.turnUpdate),
      "turn.eager_end": describeSchema(turns.turnEagerEnd),
      "turn.resume": describeSchema(turns.turnResume),
      "turn.end": describeSchema(turns.turnEnd),
      error: describeSchema(turns.error),
    },
    tts: {
      chunk: describeSchema(t.chunk),
      timestamps: describeSchema(t.timestamps),
      phoneme_timestamps: describeSchema(t.phonemeTimestamps),
      flush_done: describeSchema(t.flushDone),
      done: describeSchema(t.done),
      error: describeSchema(t.error),
    },
    ttsSse: {
      chunk: describeSchema(sse.chunk),
      timestamps: describeSchema(sse.timestamps),
      phoneme_timestamps: describeSchema(sse.phonemeTimestamps),
      flush_done: describeSchema(sse.flushDone),
      done: describeSchema(sse.done),
      error: describeSchema(sse.error),
    },
    sttBatchResponse: describeSchema(sttBatch.schemas().response),
    accessTokenResponse: describeSchema(accessToken.schemas().response),
    httpErrorBody: describeSchema(httpErrorBodySchema(builder("lenient"))),
    // The one validating-level table: `config()` checks documented ranges before sending (§3.1).
    turnConfig: describeSchema(sttTurns.schemas({ strictness: "validating" }).turnConfig, { refinements: "ignore" }),
    queries: {
      sttV1: describeWireFields(v1.query),
      sttTurns: describeWireFields(turns.query),
      tts: describeWireFields(t.query),
      sttBatch: describeWireFields(sttBatch.schemas().query),
      sttBatchForm: describeWireFields(sttBatch.schemas().form),
    },
    paths: { sttV1: sttV1.PATH, sttTurns: sttTurns.PATH, tts: tts.PATH, ttsBytes: ttsBytes.PATH, ttsSse: ttsSse.PATH, sttBatch: sttBatch.PATH, accessToken: accessToken.PATH },
  };
}

/** The source of `src/reader/shapes.ts`. */
export function readerShapesSource(): string {
  const lines = [
    "// Generated from the zod schemas by scripts/reader-shapes.ts (`pnpm --filter @speechwire/protocol generate`): do not edit.",
    "// test/reader.test.ts fails when this file differs from what the schemas generate.",
    'import type { Shape, WireFields } from "./shape.js";',
    "",
  ];
  const types: Record<string, string> = {
    sttBatchResponse: "Shape",
    accessTokenResponse: "Shape",
    httpErrorBody: "Shape",
    turnConfig: "Shape",
    queries: "Readonly<Record<string, WireFields>>",
  };
  for (const [name, value] of Object.entries(readerShapes())) {
    lines.push(`/** Reader table \`${name}\`, from the protocol's zod schemas. */`);
    const type = name === "paths" ? "" : `: ${types[name] ?? "Readonly<Record<string, Shape>>"}`;
    lines.push(`export const ${name}${type} = ${JSON.stringify(value)}${name === "paths" ? " as const" : ""};`);
  }
  return `${lines.join("\n")}\n`;
}
