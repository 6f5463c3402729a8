/**
 * The reproductions of issue 12, as fixed cases through the fuzzer's harness and oracle (beside the
 * generators, which find the same classes on their own: see the other suites and README "Fuzzing").
 * Each case runs on a clean mock child; a finding fails it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, forgeToken, STRICT_KEY, type RequestCase } from "./generators.js";
import { formatFindings, FuzzTarget, type FuzzCase } from "./harness.js";
import { ensureBuilt } from "./mock-process.js";
import { WS_KEY } from "./wire.js";

const UPGRADE: [string, string][] = [
  ["Host", "127.0.0.1"],
  ["Upgrade", "websocket"],
  ["Connection", "Upgrade"],
  ["Sec-WebSocket-Key", WS_KEY],
  ["Sec-WebSocket-Version", "13"],
];

/** A request case with defaults. */
const req = (method: string, target: string, headers: [string, string][] = [["Host", "127.0.0.1"]], body: string[] = [], end: RequestCase["end"] = "keep"): FuzzCase => ({
  family: "request",
  c: { method, target, httpVersion: "HTTP/1.1", headers, body, pauseMs: 0, end },
});

const multipartTruncated = (() => {
  const body = `--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nink-whisper\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n${"x".repeat(1000)}`;
  return req("POST", "/stt", [["Host", "127.0.0.1"], ["Content-Type", "multipart/form-data; boundary=b"], ["Content-Length", String(body.length)]], [body]);
})();

const tokenBody = JSON.stringify({ grants: { tts: true, stt: true }, expires_in: 60 });

/** Issue 12's reproductions: [item, description, mode, case]. */
const CASES: [string, string, "open" | "strict", FuzzCase][] = [
  ["1.1", "upgrade GET /s/%ZZ/stt/websocket", "open", req("GET", "/s/%ZZ/stt/websocket", UPGRADE)],
  ["1.1", "POST /s/%ZZ/tts/bytes", "open", req("POST", "/s/%ZZ/tts/bytes", [["Host", "127.0.0.1"], ["Content-Length", "2"]], ["{}"])],
  ["1.1", "GET /_speechwire/scenarios/%ZZ", "open", req("GET", "/_speechwire/scenarios/%ZZ")],
  ["1.2", "upgrade GET //", "open", req("GET", "//", UPGRADE)],
  ["1.2", "upgrade GET http://[/stt/websocket", "open", req("GET", "http://[/stt/websocket", UPGRADE)],
  ["1.2", "upgrade GET http://%zz/stt/websocket", "open", req("GET", "http://%zz/stt/websocket", UPGRADE)],
  // Found by the long fuzz run (seed 2912): a path whose first segment is empty names no host; it is no
  // route, so the 404 takes the version's (legacy) shape, not the turns endpoint's structured one.
  ["1.2", "upgrade GET //./s/a%2Fb/stt/turns/websocket at version 2024-11-13", "open", req("GET", "//./s/a%2Fb/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&cartesia_version=2024-11-13", UPGRADE)],
  ...(["GET", "HEAD", "OPTIONS", "TRACE"] as const).map((m): [string, string, "open", FuzzCase] => ["1.2", `plain ${m} //`, "open", req(m, "//")]),
  ["1.3", "POST /access-token chunked with a bad chunk size", "open", req("POST", "/access-token", [["Host", "127.0.0.1"], ["Transfer-Encoding", "chunked"]], ["zz\r\n{}\r\n0\r\n\r\n"])],
  ["1.3", "POST /tts/bytes Content-Length 100, 21 bytes, half-close", "open", req("POST", "/tts/bytes", [["Host", "127.0.0.1"], ["Content-Length", "100"]], ['{"model_id":"sonic-3"'], "half-close")],
  ["1.4", "multipart POST /stt ending inside the file part", "open", multipartTruncated],
  ["1.5", 'a signed token with "grants": null', "open", req("GET", `/stt/turns/websocket?model=ink-2&encoding=pcm_s16le&sample_rate=16000&access_token=${forgeToken({ grants: null, exp: 4_102_444_800 })}`, UPGRADE)],
  ["3.1", "a forged token opens a route in strict mode", "strict", req("GET", `/tts/websocket?access_token=${forgeToken({ grants: { tts: true, stt: true }, iat: 0, exp: 4_102_444_800 })}`, UPGRADE)],
  ["3.2", "GET /_speechwire/sessions without a key in strict mode", "strict", req("GET", "/_speechwire/sessions")],
  ["3.3", "an admin key mints a token", "open", req("POST", "/access-token", [["Host", "127.0.0.1"], ["Authorization", `Bearer ${ADMIN_KEY}`], ["Content-Length", String(tokenBody.length)]], [tokenBody])],
  ["3.4", "the key followed by U+00A0", "strict", req("GET", "/tts/websocket", [...UPGRADE, ["X-API-Key", `${STRICT_KEY}\u00a0`]])],
  ["4", "ws refuses a bad Sec-WebSocket-Key", "open", req("GET", "/stt/websocket", UPGRADE.map(([k, v]) => [k, k === "Sec-WebSocket-Key" ? "not base64!" : v] as [string, string]))],
  ["4", "ws refuses Sec-WebSocket-Version 14", "open", req("GET", "/tts/websocket", UPGRADE.map(([k, v]) => [k, k === "Sec-WebSocket-Version" ? "14" : v] as [string, string]))],
  ["4", "ws refuses a POST upgrade", "open", req("POST", "/stt/turns/websocket", UPGRADE)],
  [
    "4",
    "12 refused upgrades leave no listener behind (MaxListenersExceededWarning)",
    "open",
    { family: "requests", c: Array.from({ length: 12 }, () => (req("GET", "/stt/websocket", UPGRADE.map(([k, v]) => [k, k === "Sec-WebSocket-Version" ? "14" : v] as [string, string])) as { c: RequestCase }).c) },
  ],
];

describe("issue 12 reproductions through the fuzz harness", () => {
  const targets = { open: new FuzzTarget({ mode: "open", reference: false }), strict: new FuzzTarget({ mode: "strict", reference: false }) };
  beforeAll(async () => {
    ensureBuilt();
    await Promise.all([targets.open.ready(), targets.strict.ready()]);
  });
  afterAll(() => Promise.all([targets.open.stop(), targets.strict.stop()]));

  for (const [item, title, mode, c] of CASES) {
    it(`§${item}: ${title}`, async () => {
      expect(formatFindings(await targets[mode].run(c))).toBe("");
    });
  }
});
