/**
 * Server mode: checks a server (the mock, or any URL with an API key) against the protocol's strict
 * schemas and sequence grammars. A scripted probe talks to each WebSocket endpoint, records every
 * frame in both directions, and lints the sessions with `lintSession` — the same rules the mock's
 * journal applies to clients, so the mock is held to them too.
 */
import { GRAMMAR_RULES, lintSession, type GrammarEndpoint, type RawSessionEvent, type Violation } from "@speechwire/protocol";
import { WebSocket } from "ws";
import type { Suite } from "../adapter/schema.js";
import type { Grade } from "../checks/catalogue.js";
import { patternAudio } from "../runner/cases.js";

/** Options of a server check. */
export interface ServerCheckOptions {
  /** http(s) base URL of the server (ws(s) is derived). */
  url: string;
  apiKey: string;
  suites?: readonly Suite[];
  /** Cartesia-Version to send. Default 2026-03-01. */
  version?: string;
  /** Seconds of audio the STT probes send. Default 6. */
  audioSeconds?: number;
  /** Per-session time limit, ms. Default 30 000. */
  timeoutMs?: number;
}

/** One rule's grade against the server. */
export interface ServerCheckResult {
  id: string;
  suite: Suite;
  section: string;
  statement: string;
  grade: Grade;
  reason?: string;
}

/** A server check's outcome. */
export interface ServerReport {
  url: string;
  version: string;
  checks: ServerCheckResult[];
  /** Frames recorded per suite (for the report). */
  frames: Record<string, number>;
  totals: Record<Grade, number>;
}

interface Recorded {
  events: RawSessionEvent[];
  error?: string;
}

/** Opens a probe socket and records every frame and close. */
function record(url: string, apiKey: string, version: string, timeoutMs: number, drive: (ws: WebSocket, send: (frame: string | Uint8Array) => void, server: (f: (text: string) => void) => void) => void): Promise<Recorded> {
  return new Promise((resolve) => {
    const events: RawSessionEvent[] = [];
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${apiKey}`, "Cartesia-Version": version } });
    const listeners: ((text: string) => void)[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(error ? { events, error } : { events });
    };
    const timer = setTimeout(() => {
      ws.terminate();
      finish(`the session did not end within ${timeoutMs} ms`);
    }, timeoutMs);
    const send = (frame: string | Uint8Array) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      events.push({ from: "client", frame });
      ws.send(frame, { binary: typeof frame !== "string" });
    };
    ws.on("message", (data, binary) => {
      const frame = binary ? new Uint8Array(data as Buffer) : String(data);
      events.push({ from: "server", frame });
      if (typeof frame === "string") for (const l of listeners) l(frame);
    });
    ws.on("unexpected-response", (_req, res) => finish(`the handshake was refused with HTTP ${res.statusCode}`));
    ws.on("error", (error) => finish(error.message));
    ws.on("close", (code, reason) => {
      events.push({ from: "server", close: { code, reason: String(reason) } });
      finish();
    });
    ws.on("open", () => drive(ws, send, (f) => listeners.push(f)));
  });
}

const wsBase = (url: string) => url.replace(/\/+$/u, "").replace(/^http/u, "ws");

/** Runs the probes and grades every grammar rule of the chosen endpoints. */
export async function checkServer(options: ServerCheckOptions): Promise<ServerReport> {
  const version = options.version ?? "2026-03-01";
  const suites = options.suites ?? ["stt-v1", "stt-turns", "tts"];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const audio = patternAudio(Math.round((options.audioSeconds ?? 6) * 16000) * 2, 3);
  const base = wsBase(options.url);
  const sessions: Partial<Record<Suite, Recorded>> = {};
  const query = "encoding=pcm_s16le&sample_rate=16000";
  if (suites.includes("stt-v1")) {
    sessions["stt-v1"] = await record(`${base}/stt/websocket?model=ink-whisper&language=en&${query}`, options.apiKey, version, timeoutMs, (_ws, send) => {
      const half = Math.floor(audio.length / 4) * 2;
      for (let i = 0; i < half; i += 3200) send(audio.subarray(i, Math.min(half, i + 3200)));
      send("finalize");
      for (let i = half; i < audio.length; i += 3200) send(audio.subarray(i, Math.min(audio.length, i + 3200)));
      send("close");
    });
  }
  if (suites.includes("stt-turns")) {
    sessions["stt-turns"] = await record(`${base}/stt/turns/websocket?model=ink-2&${query}`, options.apiKey, version, timeoutMs, (_ws, send) => {
      for (let i = 0; i < audio.length; i += 3200) send(audio.subarray(i, Math.min(audio.length, i + 3200)));
      send(JSON.stringify({ type: "close" }));
    });
  }
  if (suites.includes("tts")) {
    sessions.tts = await record(`${base}/tts/websocket`, options.apiKey, version, timeoutMs, (ws, send, onServer) => {
      const voice = version >= "2026-08-14" ? "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" : { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" };
      const fields = { model_id: "sonic-3", voice, output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 }, language: "en", max_buffer_delay_ms: 0, add_timestamps: true };
      const req = (context_id: string, extra: Record<string, unknown>) => send(JSON.stringify({ ...fields, context_id, ...extra }));
      const open = new Set(["probe-a", "probe-b"]);
      onServer((text) => {
        try {
          const m = JSON.parse(text) as { type?: string; context_id?: string };
          if ((m.type === "done" || m.type === "error") && m.context_id) open.delete(m.context_id);
        } catch {
          // a frame that is not JSON is reported by the linter
        }
        if (open.size === 0 && ws.readyState === WebSocket.OPEN) {
          ws.close(1000);
        }
      });
      req("probe-a", { transcript: "Hello from the probe, ", continue: true });
      req("probe-b", { transcript: "A second context. ", continue: true });
      req("probe-a", { transcript: "", continue: true, flush: true });
      req("probe-a", { transcript: "goodbye.", continue: true });
      req("probe-a", { transcript: "", continue: false });
      req("probe-b", { transcript: "", continue: false });
    });
  }
  const checks: ServerCheckResult[] = [];
  const frames: Record<string, number> = {};
  for (const suite of suites) {
    const rec = sessions[suite];
    const rules = Object.values(GRAMMAR_RULES).filter((r) => r.id.startsWith(`${suite}/`));
    if (!rec) continue;
    frames[suite] = rec.events.length;
    const violations: Violation[] = rec.error && rec.events.length === 0 ? [] : lintSession(suite as GrammarEndpoint, rec.events, { strictness: "strict", version });
    for (const rule of rules) {
      const mine = violations.filter((v) => v.rule === rule.id);
      const base = { id: `server/${rule.id}`, suite, section: rule.section, statement: rule.statement };
      if (rec.error && rec.events.length <= 1) checks.push({ ...base, grade: "fail", reason: rec.error });
      else if (mine.length === 0) checks.push({ ...base, grade: "pass" });
      else checks.push({ ...base, grade: mine.some((v) => v.severity === "error") ? "fail" : "warning", reason: mine.map((v) => `#${v.index}: ${v.message}`).join("; ") });
    }
    if (rec.error && rec.events.length > 1) {
      checks.push({ id: `server/${suite}/session-ends`, suite, section: "§1.7", statement: "The probe session ends with the server's close.", grade: "fail", reason: rec.error });
    }
  }
  const totals: Record<Grade, number> = { pass: 0, fail: 0, warning: 0, skipped: 0 };
  for (const c of checks) totals[c.grade] += 1;
  return { url: options.url, version, checks, frames, totals };
}
