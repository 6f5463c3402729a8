/**
 * The `access-token` suite's cases (§7): mint a token with the API key, then open a session with the
 * token alone — one the grants cover (it must work), one they do not (403), or one the token has
 * outlived (401: the runner mints it on a clock moved back) — or mint with a key the server refuses
 * (401). Fixed cases exercise every check; the arbitrary draws grants, expiry, the endpoint and
 * sometimes an expired token, so "works exactly when granted and unexpired" is checked for all
 * combinations.
 */
import * as fc from "fast-check";
import { accessToken } from "@speechwire/protocol";
import { caseSchema, type AccessTokenRequestSpec, type Case, type ContextSpec } from "../adapter/schema.js";
import { sttCase } from "./cases.js";

/** A short one-turn script: the token session only has to show that it works. */
const ONE_TURN = { turns: [{ leadSilence: 0.2, segments: [{ say: "Hello with a token." }], endSilence: 0.9 }] };

const TOKEN_CONTEXT: ContextSpec = {
  id: "t",
  model_id: "sonic-3",
  voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
  output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
  language: "en",
  add_timestamps: false,
  max_buffer_delay_ms: 0,
};

/** The API path a token case opens (`undefined`: it only mints). */
export function accessTokenPath(spec: AccessTokenRequestSpec): string | undefined {
  return spec.use === "stt-turns" ? "/stt/turns/websocket" : spec.use === "tts" ? "/tts/websocket" : undefined;
}

/** Whether the server must refuse the case's session with 403: the token's grants do not cover its endpoint (§7). */
export function expectsGrantRefusal(c: Case): boolean {
  const spec = c.accessToken;
  const path = spec ? accessTokenPath(spec) : undefined;
  // An expired token is refused for its expiry (401) whatever it grants (the mock checks expiry first;
  // The protocol reference does not say which wins, so the generated expired cases always grant their endpoint).
  return !!spec && spec.key === "valid" && !spec.expired && path !== undefined && !accessToken.grantCovers(spec.grants, path);
}

/** Whether the server must refuse the case's session with 401: the token has expired (§7, §1.2). */
export function expectsExpiredRefusal(c: Case): boolean {
  const spec = c.accessToken;
  return !!spec && spec.key === "valid" && spec.expired === true && accessTokenPath(spec) !== undefined;
}

/**
 * How far back (seconds) the runner moves the mock's token clock for an expired case's mint:
 * `expires_in + 1` (the server's default expiry when the case leaves it out), so `exp` is at least a
 * second before the real time of the session's handshake. `undefined`: the case's token is not expired.
 */
export function expiredClockShift(c: Case): number | undefined {
  const spec = c.accessToken;
  if (!spec?.expired || spec.key !== "valid") return undefined;
  return (spec.expires_in ?? accessToken.MAX_EXPIRES_IN) + 1;
}

/** Builds an access-token case: the mint, and the session's script and actions when it opens one. */
export function accessTokenCase(id: string, spec: AccessTokenRequestSpec, purpose: string, text = "Spoken with a token."): Case {
  const base = { id, suite: "access-token" as const, accessToken: spec, purpose };
  if (spec.use === "stt-turns") {
    const stt = sttCase({ id, suite: "stt-turns", stt: ONE_TURN, purpose, chunkBytes: 3200 });
    return caseSchema.parse({ ...stt, ...base });
  }
  if (spec.use === "tts") {
    return caseSchema.parse({
      ...base,
      scenario: { tts: { chunkMs: 20 } },
      contexts: [TOKEN_CONTEXT],
      actions: [{ op: "push", context: "t", transcript: text }, { op: "end", context: "t" }, { op: "close" }],
    });
  }
  return caseSchema.parse({ ...base, actions: [] });
}

/** The fixed cases: every check of the suite is exercised by at least one. */
export function accessTokenFixedCases(): Case[] {
  return [
    accessTokenCase("token-stt-turns", { grants: { stt: true }, expires_in: 300, use: "stt-turns", key: "valid" }, "an stt token opens a turns session (§7 example)"),
    accessTokenCase("token-tts", { grants: { tts: true }, expires_in: 60, use: "tts", key: "valid" }, "a tts token opens a TTS socket"),
    accessTokenCase("token-both-default-expiry", { grants: { stt: true, tts: true }, use: "tts", key: "valid" }, "both grants, no expires_in (the server's default)"),
    accessTokenCase("token-grant-refused", { grants: { tts: true }, expires_in: 300, use: "stt-turns", key: "valid" }, "a tts-only token on STT turns: 403 surfaced, and the API key not used instead"),
    accessTokenCase("token-expired-stt-turns", { grants: { stt: true }, expires_in: 60, use: "stt-turns", key: "valid", expired: true }, "an stt token used after its 60 s: 401 surfaced, and the API key not used instead"),
    accessTokenCase("token-expired-tts", { grants: { tts: true }, use: "tts", key: "valid", expired: true }, "a tts token with the default expiry, used after it: 401 surfaced"),
    accessTokenCase("token-bad-key", { grants: { stt: true }, expires_in: 300, use: "none", key: "invalid" }, "minting with a key the server refuses: 401 surfaced"),
  ];
}

/** Generated access-token cases: any grants, any expiry, either endpoint (granted or not), sometimes a bad key, sometimes an expired token. */
export function accessTokenCaseArb(): fc.Arbitrary<Case> {
  const flag = fc.option(fc.boolean(), { nil: undefined });
  return fc
    .record({
      tts: flag,
      stt: flag,
      agent: flag,
      expires_in: fc.option(fc.integer({ min: 1, max: accessToken.MAX_EXPIRES_IN }), { nil: undefined }),
      use: fc.constantFrom("none", "stt-turns", "tts"),
      key: fc.oneof({ weight: 5, arbitrary: fc.constant("valid" as const) }, { weight: 1, arbitrary: fc.constant("invalid" as const) }),
      expired: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      text: fc.constantFrom("Spoken with a token.", "Grüße, café — 日本語. ", "A"),
      n: fc.nat(1000),
    })
    .map(({ tts, stt, agent, expires_in, use, key, expired, text, n }) => {
      const grants: AccessTokenRequestSpec["grants"] = { ...(tts !== undefined ? { tts } : {}), ...(stt !== undefined ? { stt } : {}), ...(agent !== undefined ? { agent } : {}) };
      // An expired token is drawn only for a session it would otherwise open: its grant is forced, so
      // the refusal can only be the expiry's 401 (which of 401 and 403 wins is not documented).
      const expiredSession = expired && key === "valid" && use !== "none";
      if (expiredSession) grants[use === "tts" ? "tts" : "stt"] = true;
      const spec: AccessTokenRequestSpec = { grants, ...(expires_in !== undefined ? { expires_in } : {}), use, key, ...(expiredSession ? { expired: true } : {}) };
      return accessTokenCase(`token-gen-${n}`, spec, "generated grants, expiry and endpoint", text);
    });
}
