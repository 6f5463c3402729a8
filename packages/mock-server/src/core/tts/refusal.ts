/**
 * The error a TTS request that does not parse gets, the same on the WebSocket and over HTTP: a refused
 * model its documented body (docs/protocol §5.2, §13), a voice embedding a clear word (refused since
 * 2026-06-01, update D8), an empty voice id 404, anything else 400 `invalid_request`.
 */
import { refuseModel, type ModelEndpoint, type ParseFailure } from "@speechwire/protocol";

/** An error the mock sends, independent of its wire shape. */
export interface RequestRefusal {
  status: number;
  code: string | null;
  title: string;
  message: string;
}

/** The refusal for a TTS request body that failed to parse; `raw` is the decoded JSON, when it was an object. */
export function ttsRequestRefusal(endpoint: Extract<ModelEndpoint, "tts" | "tts-bytes" | "tts-sse">, raw: Record<string, unknown> | undefined, failure: ParseFailure): RequestRefusal {
  // A model id that is there but refused; a missing one is an ordinary bad request.
  const onModel = typeof raw?.model_id === "string" && failure.issues.some((i) => i.path === "model_id");
  if (raw && onModel) {
    const refusal = refuseModel(endpoint, raw.model_id);
    if (refusal) return refusal;
  }
  const voice = raw?.voice;
  if (typeof voice === "object" && voice !== null && (voice as Record<string, unknown>).mode === "embedding") {
    return {
      status: 400,
      code: "invalid_request",
      title: "Invalid voice",
      message: 'voice: embeddings ({"mode":"embedding"}) are no longer accepted since June 1, 2026; use {"mode":"id","id":…} (or the voice id, from 2026-08-14)',
    };
  }
  if (voice === "" || (typeof voice === "object" && voice !== null && (voice as Record<string, unknown>).id === "")) {
    // 404 for a voice that does not exist (CHG-2026); the code is the illustrative one of §5.7.
    return { status: 404, code: "voice_not_found", title: "Voice not found", message: "voice.id: no voice has an empty id" };
  }
  return { status: 400, code: "invalid_request", title: "Invalid request", message: failure.message };
}
