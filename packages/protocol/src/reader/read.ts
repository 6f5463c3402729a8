/**
 * The interpreter of reader shapes: reads a decoded JSON value the way the lenient zod schema it was
 * generated from does (same acceptance, same output), without zod.
 *
 * Speed: on the hot path nothing is allocated. A value that reads unchanged (no unknown keys at any
 * depth) is returned as it is — the object `JSON.parse` built is the message — and only an object
 * with unknown keys is copied, without them (zod's strip). Failures record one issue (the deepest
 * field that broke) in module state, turned into a `ParseIssue` by the caller.
 */
import type { ParseIssue } from "../shared/result.js";
import type { Shape } from "./shape.js";

/** Returned by `readShape` when the value does not read. */
export const BAD: unique symbol = Symbol("bad");

let badPath: (string | number)[] = [];
let badMessage = "";

function bad(message: string): typeof BAD {
  badPath = [];
  badMessage = message;
  return BAD;
}

/** The issue of the last failed `readShape`, with its field path written the protocol's way. */
export function lastIssue(): ParseIssue {
  let path = "";
  for (const p of badPath) path += typeof p === "number" ? `[${p}]` : path === "" ? p : `.${p}`;
  return { path: path || "(root)", message: badMessage };
}

type Obj = Record<string, unknown>;

/** Reads `value` with `shape`: the read value (often `value` itself), or `BAD`. */
export function readShape(shape: Shape, value: unknown): unknown {
  if (typeof shape === "string") {
    switch (shape) {
      case "s":
        return typeof value === "string" ? value : bad(`expected string, got ${kind(value)}`);
      case "b":
        return typeof value === "boolean" ? value : bad(`expected boolean, got ${kind(value)}`);
      case "n":
        return typeof value === "number" && Number.isFinite(value) ? value : bad(`expected number, got ${kind(value)}`);
      default:
        return Number.isSafeInteger(value) ? value : bad(`expected integer, got ${kind(value)}`);
    }
  }
  switch (shape[0]) {
    case "o":
      return readObject(shape[1], value);
    case "?":
      return value === undefined ? value : readShape(shape[1], value);
    case "N":
      return value === null ? value : readShape(shape[1], value);
    case "l":
      for (let i = 1; i < shape.length; i += 1) if (shape[i] === value) return value;
      return bad(`expected ${shape.slice(1).map((v) => JSON.stringify(v)).join(" or ")}`);
    case "a":
      return readArray(shape[1], value);
    case "u":
      return readUnion(shape, value);
    case "#":
      return readBounded(shape, value);
  }
}

function readObject(fields: Readonly<Record<string, Shape>>, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad(`expected object, got ${kind(value)}`);
  const v = value as Obj;
  let out: Obj | undefined;
  let present = 0;
  for (const key in fields) {
    const field = fields[key] as Shape;
    const x = v[key];
    if (x === undefined) {
      if (typeof field !== "string" && field[0] === "?") continue;
      badPath = [key];
      badMessage = "required";
      return BAD;
    }
    present += 1;
    const y = readShape(field, x);
    if (y === BAD) {
      badPath.unshift(key);
      return BAD;
    }
    if (out === undefined && y !== x) out = copyBefore(fields, v, key);
    if (out !== undefined) out[key] = y;
  }
  if (out !== undefined) return out;
  let keys = 0;
  for (const _ in v) keys += 1;
  // Every key known and every value unchanged: the object is the message.
  return keys === present ? v : copyBefore(fields, v, undefined);
}

/** A copy of `v` with the known keys before `stop` (all of them when `stop` is undefined). */
function copyBefore(fields: Readonly<Record<string, Shape>>, v: Obj, stop: string | undefined): Obj {
  const out: Obj = {};
  for (const key in fields) {
    if (key === stop) break;
    if (v[key] !== undefined) out[key] = v[key];
  }
  return out;
}

function readArray(element: Shape, value: unknown): unknown {
  if (!Array.isArray(value)) return bad(`expected array, got ${kind(value)}`);
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i += 1) {
    const x: unknown = value[i];
    const y = readShape(element, x);
    if (y === BAD) {
      badPath.unshift(i);
      return BAD;
    }
    if (out === undefined && y !== x) out = value.slice(0, i);
    if (out !== undefined) out.push(y);
  }
  return out ?? value;
}

function readUnion(shape: readonly ["u", ...Shape[]], value: unknown): unknown {
  let bestPath: (string | number)[] = [];
  let bestMessage = "";
  for (let i = 1; i < shape.length; i += 1) {
    const y = readShape(shape[i] as Shape, value);
    if (y !== BAD) return y;
    // Report the branch that got furthest (its issue is the deepest), like the zod parsers do.
    if (i === 1 || badPath.length > bestPath.length) {
      bestPath = badPath;
      bestMessage = badMessage;
    }
  }
  badPath = bestPath;
  badMessage = bestMessage;
  return BAD;
}

function readBounded(shape: readonly ["#", "n" | "i", ...(readonly [">" | "<", number, 0 | 1])[]], value: unknown): unknown {
  if (readShape(shape[1], value) === BAD) return BAD;
  const n = value as number;
  for (let i = 2; i < shape.length; i += 1) {
    const [op, bound, inclusive] = shape[i] as readonly [">" | "<", number, 0 | 1];
    const okay = op === ">" ? (inclusive ? n >= bound : n > bound) : inclusive ? n <= bound : n < bound;
    if (!okay) return bad(`expected a number ${op}${inclusive ? "=" : ""} ${bound}, got ${n}`);
  }
  return value;
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : value === undefined ? "nothing" : typeof value;
}
