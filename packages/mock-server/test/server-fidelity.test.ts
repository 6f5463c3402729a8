/**
 * The API as of December 2026 (docs/protocol §13 and the update's items D1–D15), over real sockets:
 * the model table on every path, nulls, `config` on both STT sockets, hints, turn words and languages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileScript } from "../src/core/stt/index.js";
import type { MockServer } from "../src/index.js";
import { connect, sendAudio, silence, startTestServer, TTS_REQUEST } from "./helpers.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await startTestServer();
});
afterAll(() => mock.close());

type Msg = { type: string; transcript?: string; text?: string; words?: { word: string; start: number; end: number }[]; languages?: unknown[]; [k: string]: unknown };

const STT_QUERY = "encoding=pcm_s16le&sample_rate=16000";
const turnsUrl = (query: string) => `${mock.urls.ws}/stt/turns/websocket?${STT_QUERY}&${query}`;
const v1Url = (query: string) => `${mock.urls.ws}/stt/websocket?${STT_QUERY}&${query}`;
const defaultAudio = () => silence(compileScript(mock.scenarios.get("default")!.stt).duration + 1);

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${mock.urls.http}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const BYTES_BODY = {
  model_id: "sonic-3",
  transcript: "Hello there.",
  voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 },
};

/** Streams the default scenario's audio, closes, and returns every message. */
async function turnsSession(query: string): Promise<Msg[]> {
  const rec = await connect(turnsUrl(query));
  await rec.waitFor(1);
  sendAudio(rec.ws, defaultAudio());
  rec.ws.send(JSON.stringify({ type: "close" }));
  await rec.closed;
  return rec.messages as Msg[];
}

const isCentisecond = (t: number) => Math.abs(Math.round(t * 100) - t * 100) < 1e-6;

describe("turn events with words and languages (update D6)", () => {
  it("ink-preview: words so far on turn.update, every word of the turn on eager_end and end, languages on eager_end and end", async () => {
    const messages = await turnsSession("model=ink-preview");
    const withText = messages.filter((m) => m.type === "turn.update" || m.type === "turn.eager_end" || m.type === "turn.end");
    expect(withText.length).toBeGreaterThan(4);
    let last = -1;
    for (const m of withText) {
      const tokens = m.transcript!.split(" ").filter((t) => t !== "");
      if (tokens.length === 0) {
        // Left out until the turn's first complete word.
        expect(m.words, JSON.stringify(m)).toBeUndefined();
        continue;
      }
      expect(m.words!.map((w) => w.word)).toEqual(tokens);
      for (const w of m.words!) {
        expect(isCentisecond(w.start) && isCentisecond(w.end), JSON.stringify(w)).toBe(true);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
      }
      // Stream-relative: a later turn's words come after an earlier turn's.
      if (m.type === "turn.end") {
        expect(m.words![0]!.start).toBeGreaterThan(last);
        last = m.words!.at(-1)!.end;
        expect(m.languages).toEqual([{ language: "en", confidence: 1 }]);
      }
      if (m.type === "turn.update") expect(m.languages).toBeUndefined();
    }
    const ends = messages.filter((m) => m.type === "turn.end");
    expect(ends.map((m) => m.transcript)).toEqual(["Hi, I'd like to book a table for two people tonight.", "Around seven would be great."]);
    // The strict linter reads the new fields as valid.
    const record = mock.sessions().find((s) => s.endpoint === "stt-turns" && s.query.model === "ink-preview")!;
    expect(record.violations).toEqual([]);
  });

  it("ink-2: no words and no languages (it has no word timestamps yet), the same transcripts", async () => {
    const messages = await turnsSession("model=ink-2");
    expect(messages.filter((m) => "words" in m || "languages" in m)).toEqual([]);
    expect(messages.filter((m) => m.type === "turn.end").map((m) => m.transcript)).toEqual([
      "Hi, I'd like to book a table for two people tonight.",
      "Around seven would be great.",
    ]);
  });

  it("is deterministic: the same audio gives the same frames", async () => {
    const a = await turnsSession("model=ink-preview");
    const b = await turnsSession("model=ink-preview");
    const strip = (ms: Msg[]) => ms.map(({ request_id: _id, ...rest }) => rest);
    expect(strip(b)).toEqual(strip(a));
  });
});

describe("/stt/websocket words (update D11)", () => {
  async function finals(query: string): Promise<Msg[]> {
    const rec = await connect(v1Url(query));
    sendAudio(rec.ws, defaultAudio());
    rec.ws.send("close");
    await rec.closed;
    return (rec.messages as Msg[]).filter((m) => m.type === "transcript");
  }

  it("ink-whisper and ink-preview carry words rounded to 10 ms; ink-2 carries none", async () => {
    for (const model of ["ink-whisper", "ink-preview"]) {
      const transcripts = await finals(`model=${model}`);
      expect(transcripts.length, model).toBeGreaterThan(0);
      for (const t of transcripts) {
        expect(t.words!.length, model).toBeGreaterThan(0);
        for (const w of t.words!) expect(isCentisecond(w.start) && isCentisecond(w.end), `${model} ${JSON.stringify(w)}`).toBe(true);
      }
    }
    const ink2 = await finals("model=ink-2");
    expect(ink2.length).toBeGreaterThan(0);
    expect(ink2.filter((t) => "words" in t)).toEqual([]);
  });

  it("accepts timestamp_granularities[]=word in the URL (cartesia-mcp)", async () => {
    const transcripts = await finals("model=ink-whisper&language=en&timestamp_granularities[]=word");
    expect(transcripts.length).toBeGreaterThan(0);
  });
});

describe("config on both realtime sockets (update D4)", () => {
  it("/stt/websocket: a JSON config gets no reply, a refused one an error event, and the session goes on", async () => {
    const rec = await connect(v1Url("model=ink-2"));
    rec.ws.send(JSON.stringify({ type: "config", keyterms: ["Cartesia"], language_hints: [] }));
    rec.ws.send(JSON.stringify({ type: "config", language_hints: ["fr"] }));
    const error = (await rec.waitUntil((m) => (m as Msg).type === "error")) as Msg;
    expect(error).toMatchObject({ status_code: 400, error_code: "invalid_request", title: "Invalid config" });
    expect(String(error.message)).toContain("ink-2 doesn't take language hints");
    rec.ws.send("finalize");
    await rec.waitUntil((m) => (m as Msg).type === "flush_done");
    // The first config got nothing back: the error answers the second one, and only once.
    expect((rec.messages as Msg[]).map((m) => m.type)).toEqual(["error", "flush_done"]);
    rec.ws.send("close");
    expect((await rec.closed).code).toBe(1000);
  });

  it("/stt/turns/websocket: turn is optional; lists alone get no reply; a hint ink-2 does not take, or seven, get an error and the socket stays open", async () => {
    const rec = await connect(turnsUrl("model=ink-2"));
    await rec.waitFor(1);
    rec.ws.send(JSON.stringify({ type: "config", keyterms: ["Cartesia", "Sonic"] }));
    rec.ws.send(JSON.stringify({ type: "config", turn: { end_timeout_ms: 1500.5 } }));
    rec.ws.send(JSON.stringify({ type: "config", language_hints: ["fr"] }));
    const error = (await rec.waitUntil((m) => (m as Msg).type === "error")) as Msg;
    expect(error).toMatchObject({ status_code: 400, title: "Invalid config" });
    rec.ws.send(JSON.stringify({ type: "config", language_hints: ["en", "fr", "de", "es", "hi", "ja", "ko"] }));
    await rec.waitFor(3);
    expect((rec.messages as Msg[]).map((m) => m.type)).toEqual(["connected", "error", "error"]);
    sendAudio(rec.ws, defaultAudio());
    rec.ws.send(JSON.stringify({ type: "close" }));
    expect((await rec.closed).code).toBe(1000);
    expect((rec.messages as Msg[]).filter((m) => m.type === "turn.end")).toHaveLength(2);
  });

  it("ink-preview takes language_hints in a config", async () => {
    const rec = await connect(turnsUrl("model=ink-preview&language_hint=hi"));
    await rec.waitFor(1);
    rec.ws.send(JSON.stringify({ type: "config", language_hints: ["hi", "en"], language_hint: "ignored" }));
    rec.ws.send(JSON.stringify({ type: "close" }));
    await rec.closed;
    expect((rec.messages as Msg[]).map((m) => m.type)).toEqual(["connected"]);
    // Accepted, but the ignored field is worth a warning in the strict linter.
    const record = mock.sessions().find((s) => s.endpoint === "stt-turns" && s.query.language_hint === "hi")!;
    expect(record.violations.map((v) => [v.rule, v.severity])).toEqual([["stt-turns/config-language-hint-ignored", "warning"]]);
  });
});

describe("handshake hints and models (update D3, D7, D9)", () => {
  async function refused(url: string): Promise<{ messages: Msg[]; code: number }> {
    const rec = await connect(url);
    const { code } = await rec.closed;
    return { messages: rec.messages as Msg[], code };
  }

  it("hints with ink-2, a code ink-preview does not know, or seven hints: an error event, then close 1008", async () => {
    for (const [url, words] of [
      [turnsUrl("model=ink-2&language_hint=en"), "ink-2 doesn't take language hints"],
      [v1Url("model=ink-preview&language_hints=en,fr,de,es,hi,ja,ko"), "at most 6"],
      [turnsUrl("model=ink-preview&language_hint=xx"), "unsupported language hint"],
    ] as const) {
      const { messages, code } = await refused(url);
      expect(code, url).toBe(1008);
      expect(messages, url).toHaveLength(1);
      expect(messages[0], url).toMatchObject({ type: "error", status_code: 400, error_code: "invalid_request" });
      expect(String(messages[0]!.message), url).toContain(words);
    }
  });

  it("serves ink-preview with up to 6 hints in either spelling, and dated ink-2 snapshots", async () => {
    for (const url of [
      turnsUrl("model=ink-preview&language_hint=hi&language_hint=en&language_hints=fr,de,es,ja"),
      v1Url("model=ink-preview&language_hints=hi&language_hints=en"),
      turnsUrl("model=ink-2-2027-01-15"),
    ]) {
      const rec = await connect(url);
      if (url.includes("turns")) expect(((await rec.waitFor(1))[0] as Msg).type, url).toBe("connected");
      rec.ws.send(url.includes("turns") ? JSON.stringify({ type: "close" }) : "close");
      expect((await rec.closed).code, url).toBe(1000);
    }
  });

  it("an unknown STT model: model_not_found titled Invalid model, then close 1008", async () => {
    const { messages, code } = await refused(turnsUrl("model=ink-3"));
    expect(code).toBe(1008);
    expect(messages[0]).toMatchObject({ type: "error", error_code: "model_not_found", title: "Invalid model" });
  });
});

describe("TTS models on every path (update D1, D8, D15)", () => {
  const SUNSETTED = { error_code: "model_sunsetted", title: "Model sunsetted", message: "The requested model has been sunsetted and is no longer available." };
  const INVALID = { error_code: "model_not_found", title: "Invalid model", message: "The model is not valid, make sure it is a valid model ID." };

  it("serves Sonic 3.6, sonic-preview and the snapshots still served, over HTTP", async () => {
    for (const model_id of ["sonic-3.6", "sonic-3.6-2026-08-27", "sonic-preview", "sonic-2-2025-04-16", "sonic-2-2025-05-08", "sonic-2-2025-06-11", "sonic-turbo-2025-06-04"]) {
      const res = await post("/tts/bytes", { ...BYTES_BODY, model_id }, { "cartesia-version": "2026-08-14" });
      expect(res.status, model_id).toBe(200);
      expect((await res.arrayBuffer()).byteLength, model_id).toBeGreaterThan(0);
    }
  });

  it("refuses sunset and unknown models with their documented bodies on /tts/bytes and /tts/sse", async () => {
    for (const path of ["/tts/bytes", "/tts/sse"]) {
      for (const [model_id, body] of [["sonic-english", SUNSETTED], ["sonic-2-2025-03-07", SUNSETTED], ["sonic-9", INVALID]] as const) {
        const res = await post(path, { ...BYTES_BODY, model_id }, { "cartesia-version": "2026-03-01" });
        expect(res.status, `${path} ${model_id}`).toBe(400);
        expect(await res.json(), `${path} ${model_id}`).toMatchObject(body);
      }
    }
  });

  it("refuses them on the WebSocket with done:true for the context", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket?cartesia_version=2026-03-01`);
    rec.ws.send(TTS_REQUEST("a", "Hi.", { model_id: "sonic-multilingual" }));
    rec.ws.send(TTS_REQUEST("b", "Hi.", { model_id: "sonic-99" }));
    const [a, b] = (await rec.waitFor(2)) as Msg[];
    expect(a).toMatchObject({ type: "error", done: true, context_id: "a", status_code: 400, ...SUNSETTED });
    expect(b).toMatchObject({ type: "error", done: true, context_id: "b", status_code: 400, ...INVALID });
    rec.ws.close();
  });

  it("an unknown batch model gets model_not_found too", async () => {
    const form = new FormData();
    form.append("model", "ink-9");
    form.append("file", new Blob([new Uint8Array(3200)]), "a.raw");
    const res = await fetch(`${mock.urls.http}/stt?encoding=pcm_s16le&sample_rate=16000`, { method: "POST", body: form, headers: { "cartesia-version": "2026-03-01" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject(INVALID);
  });
});

describe("what today's clients send (update D2, D8, D10, D11, D12)", () => {
  it("null is absent wherever SDK 4.2 allows it: every default cartesia-mcp /tts/bytes call, LiveKit Python's language=None", async () => {
    const res = await post("/tts/bytes", { ...BYTES_BODY, language: null, locale: null, normalization: null, pronunciation_dict_id: null, save: null, generation_config: null });
    expect(res.status).toBe(200);
    const sse = await post("/tts/sse", { ...BYTES_BODY, language: null, context_id: null, add_timestamps: null });
    expect(sse.status).toBe(200);
    const token = await post("/access-token", { grants: { tts: true, stt: null, agent: null }, expires_in: null });
    expect(token.status).toBe(200);
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("n", "Hello.", { language: null, continue: null, flush: null, max_buffer_delay_ms: null, add_timestamps: null, generation_config: null }));
    await rec.waitUntil((m) => (m as Msg).type === "done");
    expect((rec.messages as Msg[]).filter((m) => m.type === "error")).toEqual([]);
    rec.ws.close();
  });

  it("refuses voice embeddings on every version, with a clear word", async () => {
    for (const version of ["2025-04-16", "2026-03-01", "2026-08-14"]) {
      const res = await post("/tts/bytes", { ...BYTES_BODY, voice: { mode: "embedding", embedding: [0.1, 0.2] } }, { "cartesia-version": version });
      expect(res.status, version).toBe(400);
      expect(await res.text(), version).toContain("embeddings");
    }
  });

  it("takes locale only on models with locale codes (Sonic 3.6), 400 otherwise", async () => {
    const v = { "cartesia-version": "2026-08-14" };
    expect((await post("/tts/bytes", { ...BYTES_BODY, model_id: "sonic-3.6", locale: "en-GB" }, v)).status).toBe(200);
    const refused = await post("/tts/bytes", { ...BYTES_BODY, model_id: "sonic-3.5", locale: "en-GB" }, v);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain("does not take locale codes");
  });

  it("accepts an emotion outside the 58 (LiveKit Python's \"Happy\"), and the strict linter warns", async () => {
    const rec = await connect(`${mock.urls.ws}/tts/websocket`);
    rec.ws.send(TTS_REQUEST("e", "Hello.", { generation_config: { emotion: "Happy" } }));
    await rec.waitUntil((m) => (m as Msg).type === "done");
    rec.ws.close();
    await rec.closed;
    const record = mock.sessions().find((s) => s.endpoint === "tts" && s.entries.some((e) => e.kind === "text" && String(e.text ?? "").includes('"Happy"')))!;
    expect(record.violations.map((v) => [v.rule, v.severity])).toEqual([["tts/unverified-emotion", "warning"]]);
  });

  it("defaults to 2026-08-14 when a client sends no version, in GET / too", async () => {
    expect(await (await fetch(`${mock.urls.http}/`)).json()).toMatchObject({ ok: true, version: "2026-08-14" });
  });
});

describe("words match the text word for word, also where a script token holds several words", () => {
  it("eager-resume on ink-preview: every turn event's words are its transcript's words", async () => {
    const rec = await connect(`${mock.urls.ws}/s/eager-resume/stt/turns/websocket?${STT_QUERY}&model=ink-preview`);
    sendAudio(rec.ws, silence(compileScript(mock.scenarios.get("eager-resume")!.stt).duration + 1));
    rec.ws.send(JSON.stringify({ type: "close" }));
    await rec.closed;
    const withWords = (rec.messages as Msg[]).filter((m) => m.words);
    expect(withWords.map((m) => m.type)).toEqual(["turn.update", "turn.eager_end", "turn.update", "turn.end"]);
    for (const m of withWords) {
      expect(m.words!.map((w) => w.word).join(" "), m.type).toBe(m.transcript);
      // Words heard so far: none ends after the audio the event answers.
      for (let i = 1; i < m.words!.length; i += 1) expect(m.words![i]!.start).toBeGreaterThanOrEqual(m.words![i - 1]!.end);
    }
  });
});
