/**
 * The STT view: stream the bundled sample or the microphone at real-time pace to `stt-turns` or
 * `stt-v1`, and watch every event on the timeline, the running and final transcripts and the
 * latency of each final. v1 has a finalize button; turns has threshold config; close drains. The
 * model picker offers what the protocol's model table serves on the endpoint; turn events of models
 * with word timestamps (ink-preview) show their words and detected languages on the timeline.
 */
import { sttTurns, STT_SAMPLE_RATES } from "@speechwire/protocol";
import type { SttStream, SttStreamEvent, TurnsEvent, TurnsSession } from "@speechwire/client";
import { MicrophoneSource, PacedSource, type AudioSource } from "./audio/sources.js";
import type { Connection } from "./connection.js";
import { field, h, ms, select, setOptions } from "./dom.js";
import { defaultModel, modelOptions, takesLanguageParam } from "./models.js";
import { errorInfo, errorLine, explainRefusal, refusalLine, type ErrorInfo } from "./errors.js";
import { fetchScenarioSpeech, speechEndOfTurn } from "./latency.js";
import { LANES, Timeline, type TimelineEvent } from "./timeline.js";

/** A final transcript and how long it took. */
interface FinalRow {
  text: string;
  latencyMs: number | undefined;
  /** What the latency measures. */
  basis: string;
}

const THRESHOLDS = ["start_threshold", "eager_end_threshold", "end_threshold"] as const;

/** Builds the STT view; `onJournal` opens the journal at a session (by its request id). */
export function sttView(conn: Connection, onJournal: (requestId: string | undefined) => void): { element: HTMLElement; refresh(): void } {
  const sourceSelect = select({ "data-testid": "stt-source" }, [["sample", "bundled sample"], ["mic", "microphone"]], "sample");
  const rateSelect = select({ "data-testid": "stt-sample-rate" }, STT_SAMPLE_RATES.map(String), "16000");
  const modelSelect = select({ "data-testid": "stt-model" }, []);
  const thresholdInputs = THRESHOLDS.map((name) => {
    const range = sttTurns.TURN_SETTINGS[name];
    return h("input", { type: "number", step: "0.05", min: range.min, max: range.max, value: range.default, "data-testid": `config-${name}` });
  });
  const startButton = h("button", { class: "primary", "data-testid": "stt-start" }, "Start");
  const finalizeButton = h("button", { "data-testid": "stt-finalize", disabled: true }, "Finalize");
  const configButton = h("button", { "data-testid": "stt-config", disabled: true }, "Send config");
  const closeButton = h("button", { "data-testid": "stt-close", disabled: true }, "Close (drain)");
  const abortButton = h("button", { "data-testid": "stt-abort", disabled: true }, "Abort");
  const journalButton = h("button", { "data-testid": "stt-journal", disabled: true }, "Journal of this session");
  const status = h("div", { class: "status", "data-testid": "stt-status" }, "idle");
  const level = h("div", { class: "level-bar" });
  const meter = h("div", { class: "level", title: "input peak level" }, level);
  const running = h("div", { class: "transcript running", "data-testid": "running-transcript" });
  const finalText = h("div", { class: "transcript final", "data-testid": "final-transcript" });
  const finalsBody = h("tbody", { "data-testid": "finals" });
  const latencyNote = h("p", { class: "latency-note", "data-testid": "latency-note" });
  const timelineHost = h("div", { class: "timeline-host" });
  const configRow = h("div", { class: "row config-row" }, ...THRESHOLDS.map((name, i) => field(name.replace("_threshold", ""), thresholdInputs[i] as HTMLInputElement)), configButton);

  const element = h(
    "section",
    { class: "view stt-view", "data-testid": "stt-view" },
    h("div", { class: "row controls" }, field("audio", sourceSelect), field("sample rate", rateSelect), field("model", modelSelect), field("input peak", meter), startButton, finalizeButton, closeButton, abortButton, journalButton),
    configRow,
    status,
    timelineHost,
    h(
      "div",
      { class: "transcripts" },
      h("div", {}, h("h3", {}, "Running transcript"), running),
      h("div", {}, h("h3", {}, "Final transcript"), finalText),
      h("div", {}, h("h3", {}, "Finals and their latency"), h("table", { class: "finals" }, h("thead", {}, h("tr", {}, h("th", {}, "final"), h("th", {}, "latency"), h("th", {}, "measured from"))), finalsBody), latencyNote),
    ),
  );

  let session: { kind: "stt-turns"; s: TurnsSession } | { kind: "stt-v1"; s: SttStream } | undefined;
  let source: AudioSource | undefined;
  let requestId: string | undefined;
  let aborted = false;

  const endpoint = () => (conn.settings.endpoint === "stt-v1" ? "stt-v1" : "stt-turns");
  let modelsOf: string | undefined;
  /** Where the status line's last session ran: a status about another endpoint or scenario is cleared. */
  let statusOf = "";
  const target = () => `${conn.sessionBase} ${endpoint()}`;
  const refresh = () => {
    const ep = endpoint();
    if (!session && statusOf && statusOf !== target()) {
      statusOf = "";
      status.textContent = "idle";
      delete status.dataset.state;
    }
    if (modelsOf !== ep) {
      modelsOf = ep;
      // ink-whisper is the model the docs use on /stt/websocket, ink-2 the turns endpoint's stable one.
      setOptions(modelSelect, modelOptions(ep), defaultModel(ep, ep === "stt-v1" ? "ink-whisper" : "ink-2"));
    }
    configRow.hidden = ep !== "stt-turns";
    finalizeButton.hidden = ep !== "stt-v1";
    if (!session) timelineHost.replaceChildren(new Timeline(LANES[ep]).element);
  };
  refresh();

  const setRunning = (on: boolean) => {
    startButton.disabled = on;
    finalizeButton.disabled = !on || endpoint() !== "stt-v1";
    configButton.disabled = !on;
    closeButton.disabled = !on;
    abortButton.disabled = !on;
    sourceSelect.disabled = on;
    rateSelect.disabled = on;
    modelSelect.disabled = on;
  };

  const addFinal = (row: FinalRow) => {
    finalsBody.append(
      h(
        "tr",
        { "data-testid": "final-row" },
        h("td", {}, JSON.stringify(row.text)),
        h("td", { "data-testid": "final-latency" }, row.latencyMs === undefined ? "—" : ms(row.latencyMs)),
        h("td", {}, row.basis),
      ),
    );
  };

  const turnConfig = () => {
    const config: Record<string, number> = {};
    THRESHOLDS.forEach((name, i) => {
      const value = Number((thresholdInputs[i] as HTMLInputElement).value);
      if (value !== sttTurns.TURN_SETTINGS[name].default) config[name] = value;
    });
    return config;
  };

  startButton.addEventListener("click", () => void start());
  async function start(): Promise<void> {
    const ep = endpoint();
    const sampleRate = Number(rateSelect.value);
    const timeline = new Timeline(LANES[ep]);
    timelineHost.replaceChildren(timeline.element);
    finalsBody.replaceChildren();
    running.textContent = "";
    finalText.textContent = "";
    element.dataset.peak = "0";
    level.style.width = "0";
    requestId = undefined;
    journalButton.disabled = true;
    latencyNote.textContent = "";
    status.textContent = "connecting…";
    status.dataset.state = "connecting";
    statusOf = target();
    aborted = false;
    setRunning(true);
    // What went wrong, for the status line at the end: the first API error, and the close.
    let firstError: ErrorInfo | undefined;
    let closed: { code: number; error?: ErrorInfo } | undefined;
    const scenarioName = conn.settings.scenario;

    // Wall time at which each chunk's end was sent: maps audio positions to when they left.
    const sent: { end: number; at: number }[] = [];
    let audioSent = 0;
    const started = performance.now();
    const audioAt = (seconds: number) => sent.find((s) => s.end >= seconds)?.at;
    const mark = (lane: string, extra: Pick<TimelineEvent, "transcript" | "note" | "words" | "languages" | "error" | "payload"> = {}) =>
      timeline.add({ lane, t: performance.now() - started, audio: audioSent, ...extra });
    // Errors, closes and everything else the lanes do not name go to the error and other lanes, whole.
    const markOther = (event: { type: string } & Record<string, unknown>) => {
      if (event.type === "error") {
        const info = errorInfo(event.error);
        if (info.kind === "api") firstError ??= info;
        mark("error", { error: info, payload: event });
      } else if (event.type === "close") {
        const error = event.error === undefined ? undefined : errorInfo(event.error);
        closed = { code: Number(event.code), ...(error ? { error } : {}) };
        mark(Number(event.code) === 1000 ? "other" : "error", { note: describe(event), payload: event, ...(Number(event.code) === 1000 ? {} : { error: { kind: "connection", message: describe(event), closeCode: Number(event.code) } }) });
      } else mark("other", { note: describe(event), payload: event });
    };
    const turnText = (e: { transcript: string; words?: TimelineEvent["words"]; languages?: TimelineEvent["languages"] }) => ({
      transcript: e.transcript,
      ...(e.words ? { words: e.words } : {}),
      ...(e.languages ? { languages: e.languages } : {}),
    });

    // The running scenario's speech ends (the mock's script, compiled by its own code): what a turn.end's latency counts from.
    const speechPromise = fetchScenarioSpeech(conn.base, scenarioName);
    try {
      const client = await conn.client({ stt: true });
      const encoding = "pcm_s16le" as const;
      if (ep === "stt-turns") {
        const s = client.stt.turns({ model: modelSelect.value, encoding, sample_rate: sampleRate });
        session = { kind: "stt-turns", s };
        const config = turnConfig();
        if (Object.keys(config).length > 0) s.config(config);
      } else {
        const model = modelSelect.value;
        const s = client.stt.stream({ model, encoding, sample_rate: sampleRate, ...(takesLanguageParam(model) ? { language: "en" } : {}) });
        session = { kind: "stt-v1", s };
      }
      source = sourceSelect.value === "mic" ? new MicrophoneSource(sampleRate) : PacedSource.sample(sampleRate);
      const active = session;
      let peak = 0;
      await source.start((chunk, end) => {
        active.s.send(chunk);
        // Input level: the loudest sample so far, so a silent microphone is obvious.
        const samples = new Int16Array(chunk.buffer, chunk.byteOffset, chunk.byteLength >> 1);
        for (const v of samples) peak = Math.max(peak, Math.abs(v) / 0x8000);
        element.dataset.peak = peak.toFixed(3);
        level.style.width = `${Math.round(peak * 100)}%`;
        audioSent = end;
        sent.push({ end, at: performance.now() });
      });
      status.textContent = `streaming the ${source.label} at ${sampleRate} Hz to ${ep} (scenario ${conn.settings.scenario || "default"})`;
      status.dataset.state = "streaming";

      if (active.kind === "stt-turns") {
        const finals: string[] = [];
        const speech = await speechPromise;
        const fromMic = source.speechEnds === undefined;
        latencyNote.textContent = fromMic
          ? "Latency of a turn.end: from the last turn.update before it (the microphone's speech end is unknown to the page)."
          : speech
            ? `Latency of a turn.end: from the moment the page sent the audio at that turn's speech end in scenario "${speech.scenario}" (its script compiled with the mock's own code; speech ends at ${speech.speechEnds.map((e) => `${e.toFixed(2)} s`).join(", ")}${speech.loop ? `, repeating every ${speech.duration.toFixed(2)} s` : ""}) to the turn.end arriving. It includes the scenario's end delay (${Math.round(speech.endDelay * 1000)} ms) and the network.`
            : "Latency of a turn.end: from the moment the page sent the audio at the bundled sample's last speech end before it (no scenario script to read: not a mock, or a scenario whose turns follow the audio) to the turn.end arriving.";
        let turnIndex = 0;
        let lastUpdateAt: number | undefined;
        for await (const event of active.s as AsyncIterable<TurnsEvent>) {
          switch (event.type) {
            case "connected":
              requestId = event.requestId ?? active.s.requestId;
              journalButton.disabled = false;
              mark("other", { note: "connected", payload: event });
              break;
            case "turnStart":
              mark("turn.start", { payload: event });
              break;
            case "turnUpdate":
              lastUpdateAt = performance.now();
              running.textContent = event.transcript;
              mark("turn.update", { ...turnText(event), payload: event });
              break;
            case "eagerEnd":
              running.textContent = `${event.transcript} …`;
              mark("turn.eager_end", { ...turnText(event), payload: event });
              break;
            case "resume":
              mark("turn.resume", { payload: event });
              break;
            case "turnEnd": {
              const now = performance.now();
              finals.push(event.transcript);
              finalText.textContent = finals.join(" ").trim();
              running.textContent = "";
              mark("turn.end", { ...turnText(event), payload: event });
              const k = turnIndex;
              turnIndex += 1;
              // The scenario's speech end of this turn; without a script, the sample's last voiced stretch already sent.
              const scripted = fromMic || !speech ? undefined : speechEndOfTurn(speech, k);
              const speechEnd = fromMic ? undefined : scripted ?? (speech ? undefined : source?.speechEnds?.filter((end) => end <= audioSent).at(-1));
              const spokenAt = speechEnd === undefined ? undefined : audioAt(speechEnd);
              if (spokenAt !== undefined && speechEnd !== undefined) {
                const basis = scripted !== undefined ? `speech end of turn ${k + 1} in "${speech!.scenario}" (${speechEnd.toFixed(2)} s of audio) sent → turn.end` : `sample's speech end (${speechEnd.toFixed(2)} s of audio) sent → turn.end`;
                addFinal({ text: event.transcript, latencyMs: now - spokenAt, basis });
              } else addFinal({ text: event.transcript, latencyMs: lastUpdateAt === undefined ? undefined : now - lastUpdateAt, basis: "last turn.update → turn.end" });
              lastUpdateAt = undefined;
              break;
            }
            default:
              markOther(event as unknown as { type: string } & Record<string, unknown>);
          }
        }
      } else {
        let finals = "";
        let finalizeAt: number | undefined;
        finalizeButton.onclick = () => {
          finalizeAt = performance.now();
          mark("other", { note: "finalize sent" });
          active.s.finalize().catch(() => undefined);
        };
        for await (const event of active.s as AsyncIterable<SttStreamEvent>) {
          if (!requestId && active.s.requestId) {
            requestId = active.s.requestId;
            journalButton.disabled = false;
          }
          if (event.type === "transcript") {
            if (event.isFinal) {
              const now = performance.now();
              finals += event.text;
              finalText.textContent = finals.trim();
              running.textContent = finals.trim();
              mark("final", { transcript: event.text, payload: event });
              const lastWord = event.words.at(-1);
              const spoken = lastWord ? audioAt(lastWord.end) : undefined;
              if (finalizeAt !== undefined) addFinal({ text: event.text, latencyMs: now - finalizeAt, basis: "finalize → final" });
              else addFinal({ text: event.text, latencyMs: spoken === undefined ? undefined : now - spoken, basis: "last word's audio sent → final" });
            } else {
              running.textContent = `${finals}${event.text}`.trim();
              mark("interim", { transcript: event.text, payload: event });
            }
          } else if (event.type === "flushDone") {
            finalizeAt = undefined;
            mark("flush_done", { payload: event });
          } else markOther(event as unknown as { type: string } & Record<string, unknown>);
        }
      }
      await tellEnd(firstError, closed, scenarioName, JSON.stringify(finalText.textContent));
    } catch (error) {
      const info = errorInfo(error);
      if (info.kind === "connection" && /handshake failed/i.test(info.message)) await tellEnd(firstError, { code: info.closeCode ?? 1006, error: info }, scenarioName, '""');
      else {
        status.textContent = `failed: ${errorLine(info)}`;
        status.dataset.state = info.kind === "api" ? "error" : "failed";
      }
    } finally {
      source?.stop();
      source = undefined;
      session = undefined;
      setRunning(false);
    }
  }

  /** The status line once a session is over: what actually happened, errors first. */
  async function tellEnd(firstError: ErrorInfo | undefined, closed: { code: number; error?: ErrorInfo } | undefined, scenarioName: string, transcript: string): Promise<void> {
    const code = closed?.code;
    status.dataset.closeCode = code === undefined ? "" : String(code);
    if (firstError) {
      status.textContent = `error ${errorLine(firstError)}; closed ${code ?? "?"}; final transcript ${transcript}`;
      status.dataset.state = "error";
      status.dataset.status = String(firstError.status ?? "");
      return;
    }
    const handshakeFailed = closed?.error?.kind === "connection" && /handshake failed/i.test(closed.error.message);
    if (handshakeFailed) {
      status.textContent = "handshake refused? asking the mock…";
      const refusal = await explainRefusal(conn.base, scenarioName);
      status.textContent = refusalLine(refusal, code);
      status.dataset.state = "refused";
      status.dataset.status = refusal ? String(refusal.status) : "";
      return;
    }
    if (aborted) {
      status.textContent = `aborted (close ${code ?? 1006}); final transcript ${transcript}`;
      status.dataset.state = "aborted";
      return;
    }
    if (code !== undefined && code !== 1000) {
      status.textContent = `connection lost: close ${code}${closed?.error ? ` (${errorLine(closed.error)})` : ""}; final transcript ${transcript}`;
      status.dataset.state = "dropped";
      return;
    }
    status.textContent = `closed${code === undefined ? "" : ` ${code}`}; final transcript ${transcript}`;
    status.dataset.state = "closed";
  }

  closeButton.addEventListener("click", () => {
    if (!session) return;
    source?.stop();
    status.textContent = "closing: the server drains what the audio supports…";
    status.dataset.state = "closing";
    closeButton.disabled = true;
    session.s.close().catch((error: Error) => {
      status.textContent = `close failed: ${error.message}`;
    });
  });
  abortButton.addEventListener("click", () => {
    aborted = true;
    source?.stop();
    session?.s.abort();
  });
  configButton.addEventListener("click", () => {
    if (session?.kind !== "stt-turns") return;
    try {
      session.s.config(turnConfig());
      status.textContent = `config sent: ${JSON.stringify(turnConfig())}`;
    } catch (error) {
      status.textContent = `config refused: ${(error as Error).message}`;
    }
  });
  journalButton.addEventListener("click", () => onJournal(requestId));

  return { element, refresh };
}

/** A one-line description of an event for the "other" lane. */
function describe(input: { type: string }): string {
  const event = input as { type: string } & Record<string, unknown>;
  if (event.type === "error" && event.error instanceof Error) return `error: ${event.error.message}`;
  if (event.type === "close") return `close ${String(event.code)} ${String(event.reason ?? "")}`.trim();
  if (event.type === "unknown") return `unknown frame: ${String(event.reason ?? "")}`;
  if (event.type === "violation") return `violation: ${JSON.stringify(event.violation ?? event)}`;
  return event.type;
}
