/** Reading the model table: which ids an endpoint serves, and the error a refused id gets. */
import { MODEL_PATTERNS, MODEL_TABLE, type ModelEndpoint, type ModelInfo } from "./table.js";

const BY_ID = new Map(MODEL_TABLE.map((m) => [m.id, m]));

/**
 * The table's row for a model id, or for a dated snapshot the row of the model it follows.
 * @example findModel("ink-2-2027-01-15")?.id // "ink-2-2027-01-15" (features of ink-2, status snapshot)
 */
export function findModel(id: string): ModelInfo | undefined {
  const row = BY_ID.get(id);
  if (row) return row;
  for (const p of MODEL_PATTERNS) {
    const like = p.pattern.test(id) ? BY_ID.get(p.like) : undefined;
    if (like) return { ...like, id, status: "snapshot", family: like.family, released: id.slice(-10), source: `by pattern ${p.description}` };
  }
  return undefined;
}

/** The ids an endpoint serves (not sunset), in table order; patterns are not expanded. */
export function servedModels(endpoint: ModelEndpoint): string[] {
  return MODEL_TABLE.filter((m) => m.status !== "sunset" && m.endpoints.includes(endpoint)).map((m) => m.id);
}

/** The patterns of dated ids an endpoint serves beyond its listed ones. */
export function servedModelPatterns(endpoint: ModelEndpoint): RegExp[] {
  return MODEL_PATTERNS.filter((p) => BY_ID.get(p.like)?.endpoints.includes(endpoint)).map((p) => p.pattern);
}

/** Whether an endpoint serves a model id (listed, or by a snapshot pattern). */
export function servesModel(endpoint: ModelEndpoint, id: string): boolean {
  const m = findModel(id);
  return m !== undefined && m.status !== "sunset" && m.endpoints.includes(endpoint);
}

/** The error a refused model gets: the documented bodies (update D8, D15). */
export interface ModelRefusal {
  status: 400;
  code: "model_sunsetted" | "model_not_found";
  title: string;
  message: string;
}

/** `model_sunsetted`'s documented title and message (API-CHG, update D8). */
export const MODEL_SUNSETTED = {
  title: "Model sunsetted",
  message: "The requested model has been sunsetted and is no longer available.",
} as const;
/** `model_not_found`'s title and message as the docs' examples give them (update D15). */
export const MODEL_NOT_FOUND = {
  title: "Invalid model",
  message: "The model is not valid, make sure it is a valid model ID.",
} as const;

/**
 * Checks a model id for an endpoint: `undefined` when served, else the error a real server sends.
 * A sunset model gets `model_sunsetted`; anything else unknown (or served elsewhere) `model_not_found`.
 * @example refuseModel("tts", "sonic-english")?.code // "model_sunsetted"
 */
export function refuseModel(endpoint: ModelEndpoint, id: unknown): ModelRefusal | undefined {
  if (typeof id === "string" && servesModel(endpoint, id)) return undefined;
  const row = typeof id === "string" ? findModel(id) : undefined;
  if (row?.status === "sunset" && row.endpoints.includes(endpoint)) return { status: 400, code: "model_sunsetted", ...MODEL_SUNSETTED };
  return { status: 400, code: "model_not_found", ...MODEL_NOT_FOUND };
}
