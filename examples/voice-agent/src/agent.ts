/**
 * The voice-agent loop: audio in (from a WAV instead of a microphone), STT turns, a reply to each
 * finished turn, the reply spoken by TTS, its audio handed out. The reply starts on `turn.eager_end`
 * (speculation) and is cancelled on `turn.resume`, so a confirmed turn is answered sooner.
 */
import { createClient, type TtsContext, type TurnsEvent } from "@speechwire/client";
import type { PcmAudio } from "./wav.js";

/** Makes the reply text for a finished (or eagerly ended) turn; `""` means no reply. */
export type ReplyFunction = (transcript: string, signal: AbortSignal) => string | Promise<string>;

/** Options of `runVoiceAgent`. */
export interface VoiceAgentOptions {
  /** The API's base URL: the mock's (`http://127.0.0.1:8787`, `…/s/<scenario>`) or Cartesia's. */
  baseUrl: string;
  apiKey?: string;
  /** The caller's audio. */
  audio: PcmAudio;
  /** The reply to a transcript. Default `replyTo`. */
  reply?: ReplyFunction;
  /** Audio is sent at this multiple of real time; 0 sends it as fast as the socket takes it (fine with the mock, whose clock is the audio). Default 1. */
  pace?: number;
  /** Milliseconds of audio per frame. Default 20. */
  frameMs?: number;
  /** STT model. Default `ink-2`. */
  sttModel?: string;
  /** TTS model. Default `sonic-3`. */
  ttsModel?: string;
  /** TTS voice id. */
  voiceId?: string;
  /** Sample rate of the reply audio (16-bit PCM). Default 24 000. */
  replySampleRate?: number;
  /** Called with each step, for logging. */
  onEvent?: (event: AgentEvent) => void;
}

/** A step of the loop, for logs. */
export type AgentEvent =
  | { type: "turn"; transcript: string }
  | { type: "reply-started"; contextId: string; transcript: string; reply: string }
  | { type: "reply-cancelled"; contextId: string; reason: string }
  /** A speculative reply that had finished speaking when the caller resumed: its audio is dropped, nothing to cancel. */
  | { type: "reply-discarded"; contextId: string; reason: string }
  | { type: "reply"; turn: AgentTurn }
  | { type: "reply-failed"; transcript: string; error: Error };

/** One answered turn. */
export interface AgentTurn {
  transcript: string;
  reply: string;
  /** The TTS context that spoke it (`reply-<n>`). */
  contextId: string;
  /** Whether the reply was started on `turn.eager_end` (before `turn.end`) and kept. */
  speculative: boolean;
  /** The reply's audio: 16-bit PCM, mono, at `replySampleRate`. */
  audio: PcmAudio;
}

/** What a run did. */
export interface VoiceAgentResult {
  /** Every `turn.end` transcript, empty ones included. */
  transcripts: string[];
  /** Answered turns, in order. */
  turns: AgentTurn[];
  /** TTS contexts cancelled because the caller resumed (or a newer eager end came). */
  cancelled: string[];
  /** Replies that failed (their turn has no answer). */
  failures: { transcript: string; error: Error }[];
}

/** A deterministic stand-in for a language model: acknowledges a statement, repeats a question. */
export function replyTo(transcript: string): string {
  const said = transcript.trim();
  if (said === "") return "";
  return said.endsWith("?") ? `Let me check. You asked: ${said}` : `Got it. You said: ${said}`;
}

/** Default voice (the mock takes any id; Cartesia needs one of its voices). */
const DEFAULT_VOICE = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the loop over the whole audio, then drains: every turn ends, every reply is spoken, both
 * sockets close. Rejects when the STT session fails (e.g. a refused handshake).
 * @example const { turns } = await runVoiceAgent({ baseUrl: "http://127.0.0.1:8787/s/eager-resume", audio: readWav(bytes) });
 */
export async function runVoiceAgent(options: VoiceAgentOptions): Promise<VoiceAgentResult> {
  const pace = options.pace ?? 1;
  const frameMs = options.frameMs ?? 20;
  if (!(pace >= 0) || !Number.isFinite(pace)) throw new RangeError(`pace must be a finite number ≥ 0, got ${pace}`);
  if (!(frameMs > 0) || !Number.isFinite(frameMs)) throw new RangeError(`frameMs must be a positive number, got ${frameMs}`);
  const reply = options.reply ?? replyTo;
  const emit = options.onEvent ?? (() => {});
  const replySampleRate = options.replySampleRate ?? 24000;

  const client = createClient({ baseUrl: options.baseUrl, ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}) });
  const tts = client.tts.websocket();
  const stt = client.stt.turns({ model: options.sttModel ?? "ink-2", encoding: "pcm_s16le", sample_rate: options.audio.sampleRate });
  const result: VoiceAgentResult = { transcripts: [], turns: [], cancelled: [], failures: [] };
  const runs: Promise<unknown>[] = [];
  let contexts = 0;

  /** Speaks `text` on a new context, cancelled (`{context_id, cancel:true}`) if `signal` aborts while it speaks. */
  const speak = (text: string, signal: AbortSignal): { ctx: TtsContext; audio: Promise<Uint8Array> } => {
    contexts += 1;
    const contextId = `reply-${contexts}`;
    let ctx: TtsContext | undefined;
    // Listens before the context does (it cancels itself on abort), to see whether it was still speaking.
    signal.addEventListener(
      "abort",
      () => {
        const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
        if (ctx?.state === "finished") return emit({ type: "reply-discarded", contextId, reason });
        result.cancelled.push(contextId);
        emit({ type: "reply-cancelled", contextId, reason });
      },
      { once: true },
    );
    ctx = tts.context({
      contextId,
      model_id: options.ttsModel ?? "sonic-3",
      voice: { mode: "id", id: options.voiceId ?? DEFAULT_VOICE },
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: replySampleRate },
      signal,
    });
    ctx.push(text);
    const done = ctx.end();
    const speaking = ctx;
    const audio = (async () => {
      const parts: Uint8Array[] = [];
      for await (const event of speaking) if (event.type === "audio") parts.push(event.audio);
      await done; // rejects when the context was cancelled or failed
      return concat(parts);
    })();
    return { ctx: speaking, audio };
  };

  /** One reply run: started on an eager end (speculative) or a turn end; aborted on resume. */
  const answer = async (transcript: string, signal: AbortSignal) => {
    const text = reply(transcript, signal);
    // A synchronous reply starts speaking at once, before the next STT message (a resume) is read.
    const replyText = typeof text === "string" ? text : await text;
    signal.throwIfAborted();
    if (replyText === "") return { transcript, reply: "", contextId: "", audio: new Uint8Array() };
    const { ctx, audio } = speak(replyText, signal);
    emit({ type: "reply-started", contextId: ctx.id, transcript, reply: replyText });
    return { transcript, reply: replyText, contextId: ctx.id, audio: await audio };
  };

  stt.onEagerEnd((transcript, signal) => {
    const run = answer(transcript, signal);
    runs.push(run.catch(() => {}));
    return run;
  });

  // Replies are handed out in the order of their turns (a later, shorter reply can finish speaking first).
  let playback = Promise.resolve();
  const events = (async () => {
    for await (const event of stt as AsyncIterable<TurnsEvent>) {
      if (event.type === "turnEnd") {
        result.transcripts.push(event.transcript);
        emit({ type: "turn", transcript: event.transcript });
      } else if (event.type === "speculation" && event.phase === "confirmed") {
        const { speculative } = event;
        const confirmed = event.result as Promise<Awaited<ReturnType<typeof answer>>>;
        playback = playback.then(async () => {
          const value = await confirmed.catch(() => undefined); // a failed reply is its own `failed` event
          if (!value || value.reply === "") return;
          const turn: AgentTurn = { transcript: value.transcript, reply: value.reply, contextId: value.contextId, speculative, audio: { sampleRate: replySampleRate, pcm: value.audio } };
          result.turns.push(turn);
          emit({ type: "reply", turn });
        });
      } else if (event.type === "speculation" && event.phase === "failed") {
        const error = event.error ?? new Error("the reply failed");
        result.failures.push({ transcript: event.transcript, error });
        emit({ type: "reply-failed", transcript: event.transcript, error });
      }
    }
  })();

  try {
    const { pcm, sampleRate } = options.audio;
    const frameBytes = Math.max(2, Math.round((sampleRate * frameMs) / 1000) * 2);
    const started = Date.now();
    for (let at = 0; at < pcm.byteLength; at += frameBytes) {
      stt.send(pcm.subarray(at, Math.min(pcm.byteLength, at + frameBytes)));
      if (pace > 0) {
        // Real time (or `pace` times it), like a microphone: the next frame when its audio is due.
        const due = started + (((at + frameBytes) / 2 / sampleRate) * 1000) / pace;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
    }
    await stt.close();
    await events;
    // Replies confirmed at the last turn.end may still be speaking.
    await Promise.all(runs);
    await playback;
  } catch (error) {
    stt.abort();
    throw error;
  } finally {
    await events.catch(() => {});
    await tts.close().catch(() => {});
  }
  return result;
}
