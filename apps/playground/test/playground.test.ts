/**
 * The playground end to end in Chromium: a real mock (started here, on a free loopback port) serves
 * the built playground at `/`; playwright-core drives Debian's chromium through each view and the
 * assertions read the page's DOM and the mock's journal. Screenshots of each view go to
 * `.test-results/screenshots/`.
 *
 * The build comes first: `pnpm test` here is `vite build && vitest run` (turbo's `test` task builds
 * only the dependencies, and a hidden build inside the tests would hide a broken build behind a test).
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "@speechwire/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { startMockServer, type MockServer } from "@speechwire/mock-server";
import { compileScript, parseWav } from "@speechwire/mock-server/core";
import { servedModels } from "@speechwire/protocol";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(APP_DIR, "dist");
const SHOTS = join(APP_DIR, ".test-results", "screenshots");
const EXTRA_CHROMIUM_ARGS = [
  // Web Audio may start without a click: the TTS test plays audio with no user gesture.
  "--autoplay-policy=no-user-gesture-required",
  // Chromium's fake microphone (a periodic beep) and no permission prompt: the microphone path runs headless too.
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];
/** The `eager-resume` script's text (packages/mock-server/src/scenario/builtin.ts, docs/protocol §3.6). */
const EAGER_RESUME_TEXT = "I'd like to change my order. The address is wrong.";

let mock: MockServer;
let browser: Browser;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no build at ${DIST}: run the package's test script (vite build && vitest run), or pnpm --filter @speechwire/playground build`);
  mock = await startMockServer({ port: 0, host: "127.0.0.1", tlsPort: false, playgroundDir: DIST });
  browser = await launchChromium(EXTRA_CHROMIUM_ARGS);
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await mock?.close();
});

/** A fresh page on the playground, loaded from the mock and connected to it. */
async function openPlayground(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  await page.goto(`${mock.urls.http}/`, { waitUntil: "load" });
  await page.waitForSelector('[data-testid="app"][data-ready="true"]', { timeout: 20_000 });
  return page;
}

afterEach(async () => {
  await page?.context().close().catch(() => undefined);
});

const testid = (id: string) => `[data-testid="${id}"]`;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe("the playground served by the mock", () => {
  it("loads at / from the mock, lists the mock's scenarios from its admin API, and connects with the default", async () => {
    await openPlayground();
    expect(await page.title()).toBe("speechwire playground");
    const scenarios = await page.$$eval(`${testid("scenario")} option`, (options) => options.map((o) => (o as HTMLOptionElement).value));
    const listed = ((await (await fetch(`${mock.urls.http}/_speechwire/scenarios`)).json()) as { name: string }[]).map((s) => s.name);
    expect(scenarios).toEqual(listed);
    expect(scenarios).toEqual(expect.arrayContaining(["default", "eager-resume", "tts-basic"]));
    expect(await page.inputValue(testid("scenario"))).toBe("default");
    expect(await page.inputValue(testid("base-url"))).toBe(mock.urls.http);
    expect(await page.textContent(testid("connection-status"))).toMatch(/^connected: \d+ scenarios$/);
    expect(problems).toEqual([]);
  });

  it("runs a turns session from the bundled sample with eager-resume: start, update, eager_end, resume, end in order, the scripted text", async () => {
    await openPlayground();
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "eager-resume");
    await page.selectOption(testid("stt-source"), "sample");
    const before = new Set(mock.sessions().map((s) => s.id));
    await page.click(testid("stt-start"));
    // Real-time pace: the turn ends about 4 s of audio in.
    await page.waitForSelector(`${testid("timeline-event")}[data-type="turn.end"]`, { timeout: 30_000 });
    await page.click(testid("stt-close"));
    await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });

    const events = await page.$$eval(testid("timeline-event"), (markers) =>
      markers
        .map((m) => m as HTMLElement)
        .sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq))
        .map((m) => [m.dataset.type ?? "", m.dataset.transcript ?? null] as const),
    );
    const turnEvents = events.filter(([type]) => type !== "other");
    expect(turnEvents).toEqual([
      ["turn.start", null],
      ["turn.update", "I'd like to"],
      ["turn.eager_end", "I'd like to change my order."],
      ["turn.resume", null],
      ["turn.update", "I'd like to change my order. The address"],
      ["turn.end", EAGER_RESUME_TEXT],
    ]);
    expect(events[0]).toEqual(["other", null]); // connected, first of all (§3.4)
    expect(await page.textContent(testid("final-transcript"))).toBe(EAGER_RESUME_TEXT);
    expect(Number(await page.getAttribute(testid("stt-view"), "data-peak"))).toBeGreaterThan(0.3); // the sample's voiced words
    const finals = await page.$$eval(testid("final-row"), (rows) => rows.map((r) => (r.textContent ?? "").trim()));
    expect(finals).toHaveLength(1);
    expect(finals[0]).toContain(JSON.stringify(EAGER_RESUME_TEXT));
    // Measured from the running scenario's speech end (its script compiled with the mock's own code).
    expect(finals[0]).toContain('speech end of turn 1 in "eager-resume" (3.36 s of audio) sent → turn.end');
    expect(await page.textContent(testid("final-latency"))).toMatch(/^\d+(\.\d)? ms$/);

    // The mock saw a browser session at real-time pace, with a minted access token, and no violation.
    const records = mock.sessions().filter((s) => !before.has(s.id) && s.endpoint === "stt-turns");
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record.path).toBe("/s/eager-resume/stt/turns/websocket");
    expect(record.query.access_token).toMatch(/^redacted:[0-9a-f]{8}$/);
    expect(record.violations).toEqual([]);
    const audioRuns = record.entries.filter((e) => e.dir === "client" && e.kind === "binary");
    expect(audioRuns.reduce((n, e) => n + (e.frames ?? 0), 0)).toBeGreaterThan(40); // many small real-time chunks
    // turn.end comes 3.76 s into the audio (0.3 lead + 3.06 s of script + 0.4 s end delay).
    expect(record.audio.bytes).toBeGreaterThanOrEqual(3.76 * 16000 * 2);
    expect(problems).toEqual([]);
    await shot("session-stt-turns");
  });

  it("streams Chromium's fake microphone through getUserMedia and Web Audio to a turns session", async () => {
    await openPlayground();
    await page.context().grantPermissions(["microphone"], { origin: mock.urls.http });
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "eager-resume");
    await page.selectOption(testid("stt-source"), "mic");
    const before = new Set(mock.sessions().map((s) => s.id));
    await page.click(testid("stt-start"));
    await page.waitForSelector(`${testid("timeline-event")}[data-type="turn.end"]`, { timeout: 30_000 });
    await page.click(testid("stt-close"));
    await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });
    expect(await page.textContent(testid("final-transcript"))).toBe(EAGER_RESUME_TEXT);
    const rows = await page.$$eval(testid("final-row"), (rs) => rs.map((r) => (r.textContent ?? "").trim()));
    expect(rows[0]).toContain("last turn.update → turn.end"); // speech end is unknown for a microphone
    const record = mock.sessions().find((s) => !before.has(s.id) && s.endpoint === "stt-turns")!;
    expect(record.violations).toEqual([]);
    expect(record.audio.bytes).toBeGreaterThanOrEqual(3.76 * 16000 * 2);
    // The fake device is not silent: its beeps reached the 16-bit stream.
    expect(Number(await page.getAttribute(testid("stt-view"), "data-peak"))).toBeGreaterThan(0.01);
    expect(problems).toEqual([]);
  });

  it("runs an stt-v1 session: interims, Finalize → final and flush_done with a measured latency, close drains", async () => {
    await openPlayground();
    await page.selectOption(testid("endpoint"), "stt-v1");
    await page.selectOption(testid("scenario"), "eager-resume");
    await page.click(testid("stt-start"));
    await page.waitForSelector(`${testid("timeline-event")}[data-type="interim"]`, { timeout: 30_000 });
    await page.click(testid("stt-finalize"));
    await page.waitForSelector(`${testid("timeline-event")}[data-type="flush_done"]`, { timeout: 30_000 });
    await page.click(testid("stt-close"));
    await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });
    const lanes = await page.$$eval(testid("timeline-event"), (ms) => ms.map((m) => (m as HTMLElement).dataset.type));
    expect(lanes.indexOf("interim")).toBeLessThan(lanes.indexOf("final"));
    expect(lanes.indexOf("final")).toBeLessThan(lanes.indexOf("flush_done"));
    const rows = await page.$$eval(testid("final-row"), (rs) => rs.map((r) => (r.textContent ?? "").trim()));
    expect(rows[0]).toContain("finalize → final");
    // Every final, concatenated, is a prefix of the script (finals of v1 concatenate verbatim).
    const text = (await page.textContent(testid("final-transcript"))) ?? "";
    expect(text.length).toBeGreaterThan(0);
    expect(EAGER_RESUME_TEXT.startsWith(text)).toBe(true);
    expect(problems).toEqual([]);
    await shot("session-stt-v1");
  });

  it("offers the model table's models (ink-preview on turns, no sunset TTS model) and shows an ink-preview turn's languages and words", async () => {
    await openPlayground();
    const options = (id: string) => page.$$eval(`${testid(id)} option`, (os) => os.map((o) => [(o as HTMLOptionElement).value, (o.textContent ?? "").trim()] as const));
    await page.selectOption(testid("endpoint"), "stt-turns");
    const turnsModels = await options("stt-model");
    expect(turnsModels.map(([id]) => id)).toEqual(servedModels("stt-turns"));
    expect(turnsModels).toContainEqual(["ink-preview", "ink-preview (preview)"]);
    expect(await page.inputValue(testid("stt-model"))).toBe("ink-2");
    await page.selectOption(testid("endpoint"), "stt-v1");
    expect((await options("stt-model")).map(([id]) => id)).toEqual(servedModels("stt-v1"));
    expect(await page.inputValue(testid("stt-model"))).toBe("ink-whisper");
    const ttsModels = await options("tts-model");
    expect(ttsModels.map(([id]) => id)).toEqual(servedModels("tts"));
    expect(ttsModels.map(([id]) => id)).not.toContain("sonic-english"); // sunset on 2026-06-01
    expect(ttsModels).toContainEqual(["sonic-preview", "sonic-preview (preview)"]);
    expect(await page.inputValue(testid("tts-model"))).toBe("sonic-3.6");

    // An ink-preview turns session: turn.end carries the turn's words and the detected language.
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "eager-resume");
    await page.selectOption(testid("stt-model"), "ink-preview");
    const before = new Set(mock.sessions().map((s) => s.id));
    await page.click(testid("stt-start"));
    const end = `${testid("timeline-event")}[data-type="turn.end"]`;
    await page.waitForSelector(end, { timeout: 30_000 });
    await page.click(testid("stt-close"));
    await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });
    // What the mock sent on turn.end, from its journal: the timeline shows exactly that.
    const record = mock.sessions().find((s) => !before.has(s.id) && s.endpoint === "stt-turns")!;
    expect(record.query.model).toBe("ink-preview");
    const sent = record.entries.map((e) => (e.dir === "server" && e.text ? JSON.parse(e.text) : {})).find((m) => m.type === "turn.end") as {
      words: { word: string; start: number; end: number }[];
      languages: { language: string; confidence: number }[];
    };
    expect(sent.languages).toEqual([{ language: "en", confidence: 1 }]);
    expect(await page.getAttribute(end, "data-languages")).toBe("en");
    expect(await page.textContent(`${end} ${testid("language-badge")}`)).toBe("en");
    expect(sent.words.map((w) => w.word).join(" ")).toBe(EAGER_RESUME_TEXT);
    expect(Number(await page.getAttribute(end, "data-words"))).toBe(sent.words.length);
    const hover = (await page.getAttribute(end, "title")) ?? "";
    expect(hover).toContain("languages: en 100%");
    expect(hover).toContain(`words: ${sent.words.map((w) => `${w.word} ${w.start.toFixed(2)}–${w.end.toFixed(2)} s`).join(" · ")}`);
    expect(record.violations).toEqual([]);
    expect(problems).toEqual([]);
    await shot("session-stt-turns-ink-preview");
  });

  it("speaks a TTS context: audio is scheduled and played with Web Audio and every word is highlighted, in order", async () => {
    await openPlayground();
    await page.selectOption(testid("endpoint"), "tts");
    await page.selectOption(testid("scenario"), "tts-basic");
    await page.fill(testid("tts-text"), 'Hello there, <break time="200ms"/> how are you today?');
    await page.selectOption(testid("tts-encoding"), "pcm_s16le");
    await page.selectOption(testid("tts-sample-rate"), "16000");
    await page.click(testid("tts-speak"));
    const card = `${testid("tts-context")}[data-context-id="ctx-1"]`;
    await page.waitForSelector(`${card}[data-finished="true"]`, { timeout: 30_000 });
    // Playback runs in real time after generation: wait until the highlight has reached the last word.
    await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel) as HTMLElement | null;
        const words = el?.querySelectorAll(".word").length ?? 0;
        return words > 0 && (el?.dataset.highlighted ?? "").split("|").filter(Boolean).length === words;
      },
      card,
      { timeout: 30_000 },
    );
    const words = await page.$$eval(`${card} ${testid("tts-word")}`, (ws) => ws.map((w) => w.textContent));
    // The word timestamps name the spoken words with their punctuation, as the real service's do (tags left out).
    expect(words).toEqual(["Hello", "there,", "how", "are", "you", "today?"]);
    const highlighted = ((await page.getAttribute(card, "data-highlighted")) ?? "").split("|");
    expect(highlighted).toEqual(words);
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.playedSamples) > 0, testid("tts-view"), { timeout: 30_000 });
    const scheduled = Number(await page.getAttribute(testid("tts-view"), "data-scheduled-samples"));
    const played = Number(await page.getAttribute(testid("tts-view"), "data-played-samples"));
    expect(scheduled).toBeGreaterThan(16000 * 0.8); // more than 0.8 s of audio at 16 kHz
    expect(played).toBeGreaterThan(0);
    expect(played).toBeLessThanOrEqual(scheduled);
    expect(await page.textContent(`${card} ${testid("tts-context-state")}`)).toBe("done");

    const ttsSessions = mock.sessions().filter((s) => s.endpoint === "tts" && s.scenario === "tts-basic");
    expect(ttsSessions).toHaveLength(1);
    expect(ttsSessions[0]!.violations).toEqual([]);
    expect(problems).toEqual([]);
    await shot("session-tts");
  });

  it("runs several TTS contexts on one socket and cancels one mid-stream", async () => {
    // Audio paced at real time, so the second context is still generating when it is cancelled.
    const added = await fetch(`${mock.urls.http}/_speechwire/scenarios`, { method: "POST", body: "name: tts-paced\ntts:\n  chunkMs: 50\n  pace: 1\n" });
    expect(added.status).toBe(201);
    await openPlayground();
    await page.selectOption(testid("endpoint"), "tts");
    await page.selectOption(testid("scenario"), "tts-paced");
    await page.fill(testid("tts-text"), "One short line.");
    await page.click(testid("tts-speak"));
    await page.fill(testid("tts-text"), "A much longer sentence that is cancelled long before it could finish playing out loud.");
    await page.click(testid("tts-speak"));
    const first = `${testid("tts-context")}[data-context-id="ctx-1"]`;
    const second = `${testid("tts-context")}[data-context-id="ctx-2"]`;
    await page.waitForFunction((sel) => /\d+ chunks/.test(document.querySelector(`${sel} .ctx-stats`)?.textContent ?? ""), second, { timeout: 30_000 });
    await page.click(`${second} ${testid("tts-cancel")}`);
    await page.waitForSelector(`${second}[data-finished="true"]`, { timeout: 30_000 });
    await page.waitForSelector(`${first}[data-finished="true"]`, { timeout: 30_000 });
    expect(await page.textContent(`${second} ${testid("tts-context-state")}`)).toBe("cancelled");
    expect(await page.textContent(`${first} ${testid("tts-context-state")}`)).toBe("done");
    const sessions = mock.sessions().filter((s) => s.endpoint === "tts" && s.scenario === "tts-paced");
    expect(sessions).toHaveLength(1); // both contexts on one socket
    const sent = sessions[0]!.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => JSON.parse(e.text!) as { context_id: string; cancel?: boolean });
    expect(new Set(sent.map((m) => m.context_id))).toEqual(new Set(["ctx-1", "ctx-2"]));
    expect(sent.filter((m) => m.cancel === true).map((m) => m.context_id)).toEqual(["ctx-2"]);
    expect(sessions[0]!.violations).toEqual([]);
    expect(problems).toEqual([]);
    await shot("session-tts-contexts");
  });

  it("validates a scenario live against the exported schema, shows the mock's field errors on upload, and uses a valid upload", async () => {
    await openPlayground();
    await page.click(testid("tab-scenarios"));
    const invalid = ["name: Bad Name", "description: two mistakes", "stt:", "  turns:", "    - segments:", '        - say: "hello there"', "        - pause: -1", ""].join("\n");
    await page.fill(testid("scenario-text"), invalid);
    await page.waitForSelector(`${testid("scenario-verdict")}[data-valid="false"]`);
    await page.click(testid("scenario-upload"));
    await page.waitForSelector(`${testid("scenario-server-status")}[data-state="refused"]`, { timeout: 10_000 });
    expect(await page.textContent(testid("scenario-server-status"))).toContain("HTTP 400");
    const issues = await page.$$eval(`${testid("scenario-issue")}.issue-server`, (items) =>
      items.map((i) => ({ path: (i as HTMLElement).dataset.path, line: (i as HTMLElement).dataset.line, text: i.textContent })),
    );
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ["name", "1"],
      ["stt.turns[0].segments[1].pause", "7"],
    ]);
    expect(issues[1]!.text).toContain("Too small");
    const marked = await page.$$eval(testid("error-line"), (lines) => lines.map((l) => (l as HTMLElement).dataset.line));
    expect(marked).toEqual(["1", "7"]);
    await shot("scenario-editor-invalid");

    // Fix both fields: the live check turns valid, the upload is accepted and the scenario is listed.
    await page.fill(testid("scenario-text"), invalid.replace("Bad Name", "my-fixed").replace("pause: -1", "pause: 0.5"));
    await page.waitForSelector(`${testid("scenario-verdict")}[data-valid="true"]`);
    expect(await page.$$(testid("error-line"))).toHaveLength(0);
    await page.click(testid("scenario-upload"));
    await page.waitForSelector(`${testid("scenario-server-status")}[data-state="accepted"]`, { timeout: 10_000 });
    expect(mock.scenarios.get("my-fixed")?.stt.turns).toHaveLength(1);
    await page.click(testid("scenario-use"));
    expect(await page.inputValue(testid("scenario"))).toBe("my-fixed");
    expect(await page.isVisible(testid("stt-view"))).toBe(true);
    // The browser logs the refused upload's 400 itself; nothing else may go wrong.
    expect(problems.filter((p) => !/Failed to load resource: .* 400 \(Bad Request\)/.test(p))).toEqual([]);
    expect(problems).toHaveLength(1);
    await shot("scenario-editor-used");
  });

  it("asks before replacing one of the mock's own scenarios (409), then replaces it with ?replace=true", async () => {
    await openPlayground();
    await page.click(testid("tab-scenarios"));
    const own = ["name: eager-end", "description: replaced from the playground", "stt:", "  turns:", "    - segments:", '        - say: "replaced words"', ""].join("\n");
    await page.fill(testid("scenario-text"), own);
    await page.waitForSelector(`${testid("scenario-verdict")}[data-valid="true"]`);
    expect(await page.isVisible(testid("scenario-replace"))).toBe(false);
    await page.click(testid("scenario-upload"));
    await page.waitForSelector(`${testid("scenario-server-status")}[data-state="refused"]`, { timeout: 10_000 });
    expect(await page.textContent(testid("scenario-server-status"))).toContain("HTTP 409");
    expect(mock.scenarios.get("eager-end")?.description).not.toBe("replaced from the playground");
    await page.click(testid("scenario-replace"));
    await page.waitForSelector(`${testid("scenario-server-status")}[data-state="accepted"]`, { timeout: 10_000 });
    expect(mock.scenarios.get("eager-end")?.description).toBe("replaced from the playground");
    expect(await page.isVisible(testid("scenario-replace"))).toBe(false);
    mock.reset();
    expect(mock.scenarios.get("eager-end")?.description).not.toBe("replaced from the playground");
    // The browser logs the refused upload's 409 itself; nothing else may go wrong.
    expect(problems.filter((p) => !/Failed to load resource: .* 409 \(Conflict\)/.test(p))).toEqual([]);
  });

  it("shows a session's journal both ways and highlights the frames that broke a rule", async () => {
    await openPlayground();
    // A session with a grammar violation: plain text where the turns endpoint expects JSON.
    const ws = `${mock.urls.ws}/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000`;
    await page.evaluate(
      (url) =>
        new Promise<void>((resolve) => {
          const socket = new WebSocket(url);
          socket.onopen = () => {
            socket.send(new Uint8Array(3200));
            socket.send("hello, not json");
            socket.send(JSON.stringify({ type: "close" }));
          };
          socket.onclose = () => resolve();
        }),
      ws,
    );
    await page.click(testid("tab-journal"));
    await page.waitForSelector(`${testid("journal-detail")}[data-session-id]`, { timeout: 10_000 });
    const id = await page.getAttribute(testid("journal-detail"), "data-session-id");
    const record = mock.session(id!)!;
    expect(record.endpoint).toBe("stt-turns");
    expect(record.violations.length).toBeGreaterThan(0);
    const bad = await page.$$eval(testid("journal-violation"), (rows) => rows.map((r) => r.textContent ?? ""));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain("hello, not json");
    expect(bad[0]).toContain(record.violations[0]!.rule);
    const rows = await page.$$eval(`${testid("journal-detail")} tbody tr`, (trs) => trs.map((t) => t.querySelector(".dir")?.textContent));
    expect(rows).toContain("→");
    expect(rows).toContain("←");
    expect(rows).toHaveLength(record.entries.length);
    expect(problems).toEqual([]);
    await shot("journal");
  });

  it("shows an HTTP request's record: the body sent, the response status and its size", async () => {
    await openPlayground();
    const body = JSON.stringify({
      model_id: "sonic-3",
      transcript: "Hello there.",
      voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    });
    const received = await page.evaluate(
      async ({ url, body }) => (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).arrayBuffer()).byteLength,
      { url: `${mock.urls.http}/tts/bytes`, body },
    );
    await page.click(testid("tab-journal"));
    await page.waitForSelector(`${testid("journal-detail")}[data-session-id]`, { timeout: 10_000 });
    const record = mock.session((await page.getAttribute(testid("journal-detail"), "data-session-id"))!)!;
    expect(record.endpoint).toBe("tts-bytes");
    const detail = (await page.textContent(testid("journal-detail"))) ?? "";
    expect(detail).toContain(`POST /tts/bytes`);
    expect(detail).toContain(`HTTP 200, ${received} bytes`);
    const frames = await page.$$eval(`${testid("journal-detail")} tbody tr .frame`, (tds) => tds.map((t) => t.textContent ?? ""));
    expect(frames).toEqual([body, "HTTP 200 application/octet-stream", expect.stringMatching(new RegExp(`^${received} bytes of body`))]);
    expect(problems).toEqual([]);
  });

  it("shows an error event as an error (status, code, title, message), a refused handshake's status and body, and clears the status on a change", async () => {
    await openPlayground();
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "error-mid-turn");
    await page.click(testid("stt-start"));
    const status = testid("stt-status");
    await page.waitForSelector(`${status}[data-state="error"]`, { timeout: 30_000 });
    const line = (await page.textContent(status)) ?? "";
    expect(line).toContain("500 internal_error · Internal server error: The transcription backend failed mid-stream.");
    expect(line).toContain("closed 1011"); // fatal: the mock then closes with 1011
    // The error event on the error lane, in the error colour, with its status and whole payload.
    const marker = `${testid("timeline-event")}[data-type="error"][data-status="500"]`;
    await page.waitForSelector(marker);
    expect(await page.textContent(`${marker} .marker-text`)).toBe("500 internal_error");
    const colour = await page.$eval(`${marker} .marker-dot`, (d) => getComputedStyle(d).backgroundColor);
    const updateColour = await page.$eval(`${testid("timeline-event")}[data-type="turn.update"] .marker-dot`, (d) => getComputedStyle(d).backgroundColor);
    expect(colour).toBe("rgb(180, 35, 24)");
    expect(colour).not.toBe(updateColour);
    const hover = (await page.getAttribute(marker, "title")) ?? "";
    expect(hover).toContain('"title": "Internal server error"');
    expect(hover).toContain('"code": "internal_error"');
    expect(await page.$$eval(testid("log-error"), (ls) => ls.map((l) => l.textContent ?? "").join("\n"))).toContain("500 internal_error · Internal server error: The transcription backend failed mid-stream.");
    await shot("error-mid-turn");

    // A refused handshake: the browser only sees close 1006; the page reads the scenario's rule from the mock.
    for (const [scenario, code, message] of [
      ["auth-401", 401, "Invalid API key."],
      ["rate-limit-429", 429, "Concurrency limit exceeded for this plan."],
    ] as const) {
      await page.selectOption(testid("scenario"), scenario);
      expect(await page.textContent(status)).toBe("idle"); // a status about another scenario is cleared
      await page.click(testid("stt-start"));
      await page.waitForSelector(`${status}[data-state="refused"]`, { timeout: 30_000 });
      expect(await page.getAttribute(status, "data-status")).toBe(String(code));
      expect(await page.textContent(status)).toContain(`handshake refused: HTTP ${code} · ${message}`);
      expect(await page.textContent(status)).toContain(`scenario "${scenario}" refuses every handshake`);
      await page.waitForSelector(`${testid("stt-start")}:not([disabled])`);
    }
    // Switching endpoint clears it too.
    await page.selectOption(testid("endpoint"), "stt-v1");
    expect(await page.textContent(status)).toBe("idle");
    expect(await page.getAttribute(status, "data-state")).toBeNull();
    // A TTS socket refused the same way says so on its own status line.
    await page.selectOption(testid("endpoint"), "tts");
    await page.click(testid("tts-speak"));
    await page.waitForSelector(`${testid("tts-status")}[data-state="refused"]`, { timeout: 30_000 });
    expect(await page.textContent(testid("tts-status"))).toContain("handshake refused: HTTP 429 · Concurrency limit exceeded for this plan.");
    expect(problems.filter((p) => !/WebSocket connection to .* failed/.test(p))).toEqual([]);
  });

  it("plays TTS contexts one after another, stops, replays in sync with the highlight, downloads a WAV, and cancel only stops a finished context", async () => {
    await openPlayground();
    await page.selectOption(testid("endpoint"), "tts");
    await page.selectOption(testid("scenario"), "tts-basic");
    await page.selectOption(testid("tts-encoding"), "pcm_s16le");
    await page.selectOption(testid("tts-sample-rate"), "16000");
    const words1 = "One two three four five six seven eight nine ten eleven twelve, thirteen fourteen fifteen sixteen!";
    await page.fill(testid("tts-text"), words1);
    await page.click(testid("tts-speak"));
    await page.fill(testid("tts-text"), "And then, the second one.");
    await page.click(testid("tts-speak"));
    const c1 = `${testid("tts-context")}[data-context-id="ctx-1"]`;
    const c2 = `${testid("tts-context")}[data-context-id="ctx-2"]`;
    const data = (sel: string) => page.$eval(sel, (el) => ({ ...(el as HTMLElement).dataset }));
    await page.waitForSelector(`${c1}[data-finished="true"]`, { timeout: 30_000 });
    await page.waitForSelector(`${c2}[data-finished="true"]`, { timeout: 30_000 });
    // The second waits for the first: it starts where the first one's audio ends.
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.startAt !== "", c2, { timeout: 30_000 });
    const [d1, d2] = [await data(c1), await data(c2)];
    expect(Number(d2.startAt)).toBeGreaterThanOrEqual(Number(d1.endAt) - 0.001);
    expect(d1.playState).toBe("playing");
    // Words carry their punctuation.
    expect(await page.$$eval(`${c1} ${testid("tts-word")}`, (ws) => ws.map((w) => w.textContent))).toEqual(words1.split(" "));

    /** At one frame: the words highlighted as current are exactly those whose times hold the play position. */
    const inSync = async (sel: string) => {
      const { position, current, words } = await page.$eval(sel, (el) => ({
        position: (el as HTMLElement).dataset.position ?? "",
        current: (el as HTMLElement).dataset.current ?? "",
        words: [...el.querySelectorAll(".word")].map((w) => ({ word: w.textContent, start: Number((w as HTMLElement).dataset.start), end: Number((w as HTMLElement).dataset.end) })),
      }));
      if (position === "") return;
      const t = Number(position);
      // The position the highlight was moved to at that instant; 20 ms either way of a word boundary is fine.
      const expected = words.filter((w) => t >= w.start - 0.02 && t < w.end + 0.02).map((w) => w.word);
      for (const word of current.split("|").filter(Boolean)) expect(expected).toContain(word);
    };
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.position || 0) > 0.6, c1, { timeout: 30_000 });
    await inSync(c1);
    await page.click(`${c1} ${testid("tts-stop")}`);
    await page.waitForSelector(`${c1}[data-play-state="stopped"]`);
    const stoppedAt = (await data(c1)).highlighted!.split("|").filter(Boolean);
    expect(stoppedAt.length).toBeGreaterThan(0);
    expect(stoppedAt.length).toBeLessThan(words1.split(" ").length);
    expect((await data(c1)).current).toBe("");
    // Stopping the first lets the second play now.
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.position || 0) > 0.1, c2, { timeout: 30_000 });
    await page.waitForTimeout(300);
    expect((await data(c1)).highlighted!.split("|").filter(Boolean)).toEqual(stoppedAt); // no highlight runs on after the stop

    // Replay: after the second one, from the start, the highlight again in step with the sound, to the last word.
    await page.click(`${c1} ${testid("tts-replay")}`);
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.plays === "2", c1, { timeout: 30_000 });
    for (let i = 0; i < 4; i += 1) {
      await page.waitForTimeout(250);
      await inSync(c1);
    }
    await page.waitForSelector(`${c1}[data-play-state="ended"]`, { timeout: 30_000 });
    expect((await data(c1)).highlighted!.split("|")).toEqual(words1.split(" "));
    expect((await data(c2)).playState).toBe("ended");

    // Download: a WAV of exactly the audio received.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`${c1} ${testid("tts-download")}`)]);
    expect(download.suggestedFilename()).toBe("ctx-1.wav");
    const wav = new Uint8Array(await readFile((await download.path())!));
    const info = parseWav(wav)!;
    expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 });
    expect(info.dataBytes).toBe(Number((await data(c1)).samples) * 2);

    // Cancel on a context that finished generating stops its playback and sends nothing.
    await page.click(`${c2} ${testid("tts-replay")}`);
    await page.waitForSelector(`${c2}[data-play-state="playing"]`);
    await page.click(`${c2} ${testid("tts-cancel")}`);
    await page.waitForSelector(`${c2}[data-play-state="stopped"]`);
    const record = mock.sessions().filter((s) => s.endpoint === "tts" && s.scenario === "tts-basic").at(-1)!;
    const sent = record.entries.filter((e) => e.dir === "client" && e.kind === "text").map((e) => JSON.parse(e.text!) as { cancel?: boolean });
    expect(sent.filter((m) => m.cancel === true)).toEqual([]);
    expect(record.violations).toEqual([]);

    // Asked to, a new context plays over the one playing.
    await page.selectOption(testid("tts-overlap"), "overlap");
    await page.click(`${c1} ${testid("tts-replay")}`);
    await page.click(testid("tts-speak"));
    const c3 = `${testid("tts-context")}[data-context-id="ctx-3"]`;
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.startAt !== "", c3, { timeout: 30_000 });
    expect(Number((await data(c3)).startAt)).toBeLessThan(Number((await data(c1)).endAt) - 0.5);
    expect(problems).toEqual([]);
  });

  it("keeps a dense timeline readable: labels never overlap (collapsed into counts), full width, zoom, pan, the payload on click", async () => {
    const words = Array.from({ length: 28 }, (_, i) => `w${i}`).join(" ");
    const added = await fetch(`${mock.urls.http}/_speechwire/scenarios`, { method: "POST", body: `name: dense\nstt:\n  wordSeconds: 0.1\n  gapSeconds: 0.03\n  turns:\n    - segments:\n        - say: "${words}"\n` });
    expect(added.status).toBe(201);
    await openPlayground();
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "dense");
    await page.click(testid("stt-start"));
    await page.waitForSelector(`${testid("timeline-event")}[data-type="turn.end"]`, { timeout: 30_000 });
    await page.click(testid("stt-close"));
    await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))); // the layout's frame

    /** What each group of a lane shows (dot, label, count), as rectangles; none may overlap another of its lane. */
    const overlaps = () =>
      page.$$eval(".track[data-lane]", (tracks) =>
        tracks.flatMap((track) => {
          // What a group shows: its first marker's dot, label, language badge and count.
          const boxes = [...track.querySelectorAll(".marker:not([hidden]):not(.grouped)")].flatMap((m) => {
            const parts = [...m.querySelectorAll(".marker-dot, .marker-text:not([hidden]), .marker-count:not([hidden]), .marker-badge")].map((p) => p.getBoundingClientRect());
            if (parts.length === 0) return [];
            return [{ left: Math.min(...parts.map((p) => p.left)), right: Math.max(...parts.map((p) => p.right)), text: m.textContent }];
          });
          const bad: string[] = [];
          boxes.sort((a, b) => a.left - b.left);
          for (let i = 1; i < boxes.length; i += 1) if (boxes[i]!.left < boxes[i - 1]!.right) bad.push(`${(track as HTMLElement).dataset.lane}: ${boxes[i - 1]!.text} / ${boxes[i]!.text}`);
          return bad;
        }),
      );
    const updates = await page.$$(`${testid("timeline-event")}[data-type="turn.update"]`);
    expect(updates.length).toBe(27); // one per word but the last (turn.end says it)
    expect(await overlaps()).toEqual([]);
    // The collapsed ones are counted: shown labels plus counts account for every update.
    const counts = await page.$$eval(`[data-lane="turn.update"] ${testid("timeline-cluster")}:not([hidden])`, (cs) => cs.map((c) => ({ n: Number(c.textContent!.slice(1)), title: (c as HTMLElement).title })));
    expect(counts.length).toBeGreaterThan(0);
    const shown = await page.$$(`[data-lane="turn.update"] .marker[data-label-shown="true"]`);
    expect(shown.length + counts.reduce((n, c) => n + c.n, 0)).toBe(27);
    expect(counts[0]!.title).toMatch(/^\d+ more here:\nturn\.update at /);
    // The full width: the audio axis fills the lanes box (minus the lane labels).
    const { track, lanes } = await page.$eval(testid("timeline-lanes"), (el) => ({ lanes: el.clientWidth, track: el.querySelector(".ruler")!.clientWidth }));
    expect(track).toBeGreaterThan(lanes - 140);
    const lastMarker = await page.$eval(`${testid("timeline-event")}[data-type="turn.end"]`, (m) => m.getBoundingClientRect().left);
    const rulerBox = await page.$eval(".ruler", (r) => r.getBoundingClientRect());
    expect(lastMarker - rulerBox.left).toBeGreaterThan(rulerBox.width * 0.6); // fit: the session spans the width
    await shot("timeline-dense");

    // Zoom in twice: four times the pixels per second, a quarter of the window; labels still apart, fewer collapsed.
    const view = async () => {
      const d = await page.$eval(testid("timeline"), (el) => ({ ...(el as HTMLElement).dataset }));
      return { start: Number(d.viewStart), end: Number(d.viewEnd), pps: Number(d.pxPerSecond) };
    };
    const before = await view();
    await page.click(testid("timeline-zoom-in"));
    await page.click(testid("timeline-zoom-in"));
    const zoomed = await view();
    expect(zoomed.pps).toBeCloseTo(before.pps * 4, 0);
    expect(zoomed.end - zoomed.start).toBeCloseTo((before.end - before.start) / 4, 5);
    expect(await overlaps()).toEqual([]);
    await page.click(testid("timeline-pan-right"));
    const panned = await view();
    expect(panned.start).toBeGreaterThan(zoomed.start);
    expect(panned.end - panned.start).toBeCloseTo(zoomed.end - zoomed.start, 5);
    // Drag to pan left.
    const box = (await page.$(testid("timeline-lanes")))!;
    const b = (await box.boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + 8);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2 + 200, b.y + 8, { steps: 4 });
    await page.mouse.up();
    expect((await view()).start).toBeLessThan(panned.start);
    expect(await overlaps()).toEqual([]);

    // Click: the whole payload of the event.
    await page.click(testid("timeline-fit"));
    await page.click(`${testid("timeline-event")}[data-type="turn.end"] .marker-dot`);
    const payload = JSON.parse((await page.textContent(testid("timeline-payload")))!) as { type: string; transcript: string };
    expect(payload.type).toBe("turnEnd");
    expect(payload.transcript).toBe(words);
    expect(problems).toEqual([]);
  });

  it("measures a turn.end's latency from the speech end of the scenario actually running, and says so", async () => {
    const text = "name: late-speech\nstt:\n  turns:\n    - leadSilence: 2.3\n      segments:\n        - say: Hello there.\n";
    const added = await fetch(`${mock.urls.http}/_speechwire/scenarios`, { method: "POST", body: text });
    expect(added.status).toBe(201);
    const scenario = (await added.json()) as { stt: Parameters<typeof compileScript>[0] };
    const speechEnd = compileScript(scenario.stt).turns[0]!.speechEnd; // the mock's own computation
    expect(speechEnd).toBeCloseTo(2.98, 6);
    await openPlayground();
    await page.selectOption(testid("endpoint"), "stt-turns");
    await page.selectOption(testid("scenario"), "late-speech");
    await page.click(testid("stt-start"));
    await page.waitForSelector(testid("final-row"), { timeout: 30_000 });
    await page.click(testid("stt-close"));
    const row = (await page.textContent(testid("final-row"))) ?? "";
    expect(row).toContain(`speech end of turn 1 in "late-speech" (${speechEnd.toFixed(2)} s of audio) sent → turn.end`);
    // The script's end delay (0.4 s) plus a little; measured from the bundled sample's speech end (3.36 s, just
    // before this turn.end at 3.38 s) it would be a few tens of ms.
    const latency = Number(/^(\d+(?:\.\d)?) ms$/.exec((await page.textContent(testid("final-latency"))) ?? "")?.[1]);
    expect(latency).toBeGreaterThanOrEqual(360);
    expect(latency).toBeLessThan(1400);
    expect(await page.textContent(testid("latency-note"))).toContain('that turn\'s speech end in scenario "late-speech"');
    expect(problems).toEqual([]);
  });
});
