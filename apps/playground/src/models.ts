/**
 * The model pickers' options, read from the protocol's model table (docs/protocol §13): the models an
 * endpoint serves (sunset ones are not), each labelled with its standing when it is not plain stable.
 */
import { findModel, MODEL_TABLE, servedModels, type ModelEndpoint } from "@speechwire/protocol";

/** `[id, label]` pairs for a `<select>`: `sonic-preview (preview)`, `sonic-3.6`, … in table order. */
export function modelOptions(endpoint: ModelEndpoint): [id: string, label: string][] {
  return servedModels(endpoint).map((id) => {
    const status = findModel(id)?.status;
    return [id, status === undefined || status === "stable" ? id : `${id} (${status})`];
  });
}

/**
 * The model a picker starts on: `preferred` when the endpoint serves it, else the table's first stable
 * model there (the table lists the newest families first: `sonic-3.6` for TTS).
 */
export function defaultModel(endpoint: ModelEndpoint, preferred?: string): string {
  const served = servedModels(endpoint);
  if (preferred !== undefined && served.includes(preferred)) return preferred;
  return MODEL_TABLE.find((m) => m.status === "stable" && m.endpoints.includes(endpoint))?.id ?? served[0] ?? "";
}

/** Whether a model takes the `language` query parameter on `/stt/websocket` (ink-whisper does; ink-2 and ink-preview detect it). */
export function takesLanguageParam(id: string): boolean {
  return findModel(id)?.features.languageParam === true;
}
