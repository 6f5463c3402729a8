/**
 * The probe run: plays the fixed set against the target and the reference (a speechwire mock started
 * in-process, or a URL), shapes both recordings and compares them. The API key goes only to the
 * target, in the Authorization header, and is redacted from everything the report holds.
 */
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { DEFAULT_VERSION } from "@speechwire/protocol";
import { WebSocket } from "ws";
import { patternAudio } from "../runner/cases.js";
import { compareShapes, type DriftReport, type ProbeResult } from "./drift.js";
import { probeRequests, speechRequest, STT_RATE, type HttpProbe, type Probe, type ProbeSettings, type WsProbe, type WsStep } from "./requests.js";
import { shapeOf, type HttpRecording, type Shape, type WsRecording } from "./shape.js";

/** Options of a probe run. */
export interface ProbeOptions {
  /** http(s) base URL of the API to probe (a path such as `/s/<scenario>` is kept as a prefix). */
  target: string;
  /** Sent to the target only, as `Authorization: Bearer`; never written out. */
  apiKey?: string;
  /** The reference's base URL; default: a speechwire mock started in-process. */
  reference?: string;
  /** Sent to a `reference` URL (default: a placeholder key, so the target's key never leaves for another host). */
  referenceApiKey?: string;
  /** Cartesia-Version of every request. Default: the protocol's default version. */
  version?: string;
  /** Voice id of the TTS probes. Default: the voice of the protocol reference's examples. */
  voice?: string;
  /**
   * Time limit of one probe on one side, ms. Default 20 000: the real STT endpoints take audio at
   * about real time, and `stt-turns.audio` sends some 8 s of it.
   */
  timeoutMs?: number;
  /** Progress lines (already redacted). */
  onProgress?: (line: string) => void;
}

/** The target (or the reference URL) did not answer at all: nothing to compare. */
export class ProbeUnreachableError extends Error {
  constructor(
    readonly side: "target" | "reference",
    message: string,
  ) {
    super(message);
  }
}

/** A URL or option the probe cannot use. */
export class ProbeUsageError extends Error {}

/** The voice of PROTOCOL.md's examples; the real API needs a voice of the caller's account (`--voice`). */
export const DEFAULT_PROBE_VOICE = "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81";
/** What the reference is when no URL is given. */
export const IN_PROCESS_REFERENCE = "speechwire mock (in-process, default scenario)";
/** The key sent to a reference URL when none is given. */
const PLACEHOLDER_KEY = "sk_car_speechwire_probe";
const REDACTED = "[redacted]";
/** 100 ms of 16 kHz s16le per audio frame. */
const FRAME_BYTES = STT_RATE / 10 * 2;

/** Replaces each secret (as given and URL-encoded) in text. */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s): s is string => s !== undefined && s.length >= 4).flatMap((s) => [s, encodeURIComponent(s)]))].sort((a, b) => b.length - a.length);
  return (text) => list.reduce((t, s) => t.split(s).join(REDACTED), text);
}

/** Parses a base URL: http or https, no query, fragment or user info (the probe adds its own paths and queries). */
export function parseBaseUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.search !== "" || url.hash !== "") return "must be a base URL without a query string or fragment";
  if (url.username !== "" || url.password !== "") return "must not carry credentials (give the key with --api-key or CARTESIA_API_KEY)";
  return url;
}

/** One side of the comparison. */
interface Side {
  base: URL;
  headers: Record<string, string>;
}

function endpointUrl(side: Side, path: string, query: Record<string, string> | undefined, ws: boolean): string {
  const url = new URL(side.base.href);
  url.pathname = `${url.pathname.replace(/\/+$/u, "")}${path}`;
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, v);
  if (ws) url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** The error code of a failed connection (ECONNREFUSED, ENOTFOUND, …), without ports or addresses. */
function failureCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown; message?: unknown }; message?: unknown };
  // fetch wraps the socket's error in `cause`; some refusals (a port fetch blocks) have only a message.
  const code = e.cause?.code ?? e.code ?? e.cause?.message ?? e.message;
  return typeof code === "string" && code !== "" ? code : "connection failed";
}

/** Checks that a base URL answers HTTP at all (any status); throws `ProbeUnreachableError` when it does not. */
async function reach(side: "target" | "reference", base: URL, shown: string, timeoutMs: number): Promise<void> {
  try {
    const res = await fetch(base.href, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
  } catch (error) {
    const why = (error as { name?: string }).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : failureCode(error);
    throw new ProbeUnreachableError(side, `the ${side} ${shown} is unreachable (${why}); nothing was compared`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Plays a WebSocket probe and records what the server did. */
function recordWs(probe: WsProbe, side: Side, audio: Record<"turns" | "utterance", Uint8Array>, timeoutMs: number): Promise<WsRecording> {
  return new Promise((resolve) => {
    const rec: WsRecording = { kind: "ws", messages: [], timedOut: false };
    const ws = new WebSocket(endpointUrl(side, probe.path, probe.query, true), { headers: side.headers, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    const waiters = new Set<() => void>();
    let ended = false;
    const wake = () => {
      for (const w of [...waiters]) w();
    };
    const finish = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      wake();
      resolve(rec);
    };
    const timer = setTimeout(() => {
      rec.timedOut = true;
      ws.terminate();
      finish();
    }, timeoutMs);
    /** Resolves once `ok()` holds, or the session ended. */
    const when = (ok: () => boolean) =>
      new Promise<void>((done) => {
        const check = () => {
          if (ended || ok()) {
            waiters.delete(check);
            done();
          }
        };
        waiters.add(check);
        check();
      });
    const send = (frame: string | Uint8Array) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary: typeof frame !== "string" });
    };
    const play = async (step: WsStep) => {
      if ("send" in step) send(typeof step.send === "string" ? step.send : JSON.stringify(step.send));
      else if ("audio" in step) {
        const bytes = audio[step.audio];
        for (let i = 0; i < bytes.length; i += FRAME_BYTES) send(bytes.subarray(i, Math.min(bytes.length, i + FRAME_BYTES)));
      } else if ("until" in step) {
        const from = rec.messages.length;
        const types = new Set(step.until);
        const arrived = when(() => rec.messages.slice(from).some((m) => typeof m === "string" && types.has(typeOf(m))));
        await (step.within === undefined ? arrived : Promise.race([arrived, sleep(step.within)]));
      } else if ("quiet" in step) await Promise.race([sleep(step.quiet), when(() => false)]);
      else if (ws.readyState === WebSocket.OPEN) ws.close(step.close);
    };
    ws.on("upgrade", (res) => {
      rec.handshake = { status: res.statusCode ?? 101 };
    });
    ws.on("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => undefined);
      res.on("end", () => {
        rec.handshake = { status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)), ...(res.headers["content-type"] ? { contentType: res.headers["content-type"] } : {}) };
        ws.terminate();
        finish();
      });
    });
    ws.on("error", (error) => {
      if (!rec.handshake) rec.failure = failureCode(error);
    });
    ws.on("message", (data, binary) => {
      rec.messages.push(binary ? new Uint8Array(data as Buffer) : String(data));
      wake();
    });
    ws.on("close", (code, reason) => {
      if (rec.handshake?.status === 101) rec.close = { code, reason: reason.toString() };
      finish();
    });
    ws.on("open", () => {
      void (async () => {
        for (const step of probe.steps) {
          if (ended || ws.readyState !== WebSocket.OPEN) return;
          await play(step);
        }
      })();
    });
  });
}

/** A text frame's `type`, or "" when it has none. */
function typeOf(text: string): string {
  try {
    const m = JSON.parse(text) as { type?: unknown };
    return typeof m?.type === "string" ? m.type : "";
  } catch {
    return "";
  }
}

/** Sends an HTTP probe and records the answer. */
async function recordHttp(probe: HttpProbe, side: Side, timeoutMs: number): Promise<HttpRecording> {
  let body: string | FormData;
  const headers = { ...side.headers };
  if ("json" in probe.body) {
    body = JSON.stringify(probe.body.json);
    headers["content-type"] = "application/json";
  } else {
    body = new FormData();
    for (const [name, value] of Object.entries(probe.body.form)) {
      if (typeof value === "string") body.append(name, value);
      else body.append(name, new Blob([Buffer.from(value.file)], { type: value.type }), value.filename);
    }
  }
  try {
    const res = await fetch(endpointUrl(side, probe.path, probe.query, false), { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const contentType = res.headers.get("content-type");
    return { kind: "http", status: res.status, body: bytes, timedOut: false, ...(contentType ? { contentType } : {}) };
  } catch (error) {
    const timedOut = (error as { name?: string }).name === "TimeoutError";
    return { kind: "http", body: new Uint8Array(), timedOut, ...(timedOut ? {} : { failure: failureCode(error) }) };
  }
}

/** Plays one probe on one side and shapes what came back. */
async function shapeOn(probe: Probe, side: Side, audio: Record<"turns" | "utterance", Uint8Array>, timeoutMs: number): Promise<Shape> {
  return shapeOf(probe.kind === "ws" ? await recordWs(probe, side, audio, timeoutMs) : await recordHttp(probe, side, timeoutMs));
}

/** Silence of `seconds` at 16 kHz s16le. */
const silence = (seconds: number) => new Uint8Array(Math.round(seconds * STT_RATE) * 2);
const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * The STT probes' audio, the same bytes for both sides: the target's own speech of the probe text when
 * its /tts/bytes gives at least half a second of it (real speech makes a real endpointer fire), else
 * pattern noise. Silences follow each utterance so an endpointer can end the turn.
 */
async function sttAudio(side: Side, settings: ProbeSettings, timeoutMs: number): Promise<{ audio: Record<"turns" | "utterance", Uint8Array>; source: string }> {
  const rec = await recordHttp(speechRequest(settings), side, timeoutMs);
  const usable = rec.status === 200 && rec.body.length >= STT_RATE && !(rec.contentType ?? "").includes("json");
  const speech = usable ? rec.body.subarray(0, rec.body.length - (rec.body.length % 2)) : patternAudio(Math.round(1.5 * STT_RATE) * 2, 7);
  const seconds = (speech.length / 2 / STT_RATE).toFixed(2);
  const source = usable
    ? `the target's /tts/bytes speech of the probe text (${seconds} s per utterance)`
    : `pattern noise (${seconds} s per utterance; the target's /tts/bytes answered ${rec.status ?? rec.failure ?? "nothing"})`;
  return { audio: { utterance: concat([speech, silence(0.5)]), turns: concat([speech, silence(2), speech, silence(2)]) }, source };
}

/** Applies `redact` to every string inside a JSON-like value. */
function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  return value;
}

/**
 * Runs the fixed set against the target and the reference and compares every probe's shape.
 * Throws `ProbeUnreachableError` when the target (or a reference URL) does not answer at all, and
 * `ProbeUsageError` for an unusable URL.
 */
export async function runProbe(options: ProbeOptions): Promise<DriftReport> {
  const redact = redactor([options.apiKey, options.referenceApiKey]);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const settings: ProbeSettings = { version: options.version ?? DEFAULT_VERSION, voice: options.voice ?? DEFAULT_PROBE_VOICE };
  const targetUrl = parseBaseUrl(options.target);
  if (typeof targetUrl === "string") throw new ProbeUsageError(`--target ${targetUrl}`);
  const referenceUrl = options.reference === undefined ? undefined : parseBaseUrl(options.reference);
  if (typeof referenceUrl === "string") throw new ProbeUsageError(`--reference ${referenceUrl}`);
  const shownTarget = redact(targetUrl.href);
  const versionHeader = { "cartesia-version": settings.version };
  const target: Side = { base: targetUrl, headers: { ...versionHeader, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) } };
  await reach("target", targetUrl, shownTarget, timeoutMs);
  if (referenceUrl) await reach("reference", referenceUrl, redact(referenceUrl.href), timeoutMs);
  const startedAt = new Date().toISOString();
  let mock: MockServer | undefined;
  try {
    if (!referenceUrl) mock = await startMockServer({ port: 0, tlsPort: false });
    const reference: Side = {
      base: referenceUrl ?? new URL((mock as MockServer).urls.http),
      headers: { ...versionHeader, authorization: `Bearer ${options.referenceApiKey ?? PLACEHOLDER_KEY}` },
    };
    const { audio, source } = await sttAudio(target, settings, timeoutMs);
    const probes = probeRequests(settings);
    const results: ProbeResult[] = [];
    for (const [i, probe] of probes.entries()) {
      const [t, r] = await Promise.all([shapeOn(probe, target, audio, timeoutMs), shapeOn(probe, reference, audio, timeoutMs)]);
      const result = redactDeep({ name: probe.name, endpoint: probe.endpoint, purpose: probe.purpose, target: t, reference: r, drift: compareShapes(probe.name, t, r) }, redact);
      results.push(result);
      options.onProgress?.(`[${i + 1}/${probes.length}] ${probe.name}: ${result.drift.length === 0 ? "same" : `${result.drift.length} difference(s)`}`);
    }
    return redactDeep(
      {
        tool: "@speechwire/conformance probe",
        format: 1,
        target: shownTarget,
        reference: referenceUrl ? redact(referenceUrl.href) : IN_PROCESS_REFERENCE,
        version: settings.version,
        voice: settings.voice,
        sttAudio: source,
        startedAt,
        finishedAt: new Date().toISOString(),
        probes: results,
        drift: results.reduce((n, p) => n + p.drift.length, 0),
      },
      redact,
    );
  } finally {
    await mock?.close();
  }
}
