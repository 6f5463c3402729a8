/**
 * The shape grammar the zod-free reader interprets. Tables of shapes are generated from the zod
 * schemas (scripts/reader-shapes.ts), never written by hand.
 *
 * - `"s"` string, `"b"` boolean, `"n"` finite number, `"i"` safe integer
 * - `["#", "n" | "i", [">" | "<", bound, inclusive 0|1]…]` a number with bounds
 * - `["l", v…]` one of these literal values
 * - `["?", shape]` optional (the key may be absent), `["N", shape]` nullable
 * - `["a", shape]` array, `["u", shape…]` union (the first branch that reads wins)
 * - `["o", { key: shape }]` object: unknown keys are accepted and dropped (lenient)
 */
export type Shape =
  | "s"
  | "b"
  | NumberShape
  | readonly ["l", ...unknown[]]
  | readonly ["?", Shape]
  | readonly ["N", Shape]
  | readonly ["a", Shape]
  | readonly ["u", ...Shape[]]
  | readonly ["o", Readonly<Record<string, Shape>>];

/** A number shape: `"n"`, `"i"`, or either with bounds. */
export type NumberShape = "n" | "i" | readonly ["#", "n" | "i", ...(readonly [">" | "<", number, 0 | 1])[]];

/** How each field of a query or form travels: `r` a repeatable string, `s` a string, or a number as text checked with its shape. */
export type WireFields = Readonly<Record<string, "r" | "s" | NumberShape>>;
