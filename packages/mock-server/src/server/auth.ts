/**
 * Authentication at the edge: API keys (open or strict mode) and access tokens minted by
 * `/access-token`, signed with HMAC-SHA256 and carrying their grants and expiry (PROTOCOL.md §1.2, §7).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { accessToken, isAdminKey, readCredentials, type HeadersLike } from "@speechwire/protocol";

/** `open`: any key (or none) is accepted; `strict`: only the configured keys, or a valid token. */
export type AuthMode = "open" | "strict";

/** What a token carries. */
export interface TokenClaims {
  grants: accessToken.Grants;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

/** Why a request was refused: the HTTP status and a message for the error body. */
export interface AuthFailure {
  status: 401 | 403;
  title: string;
  message: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** What an `Authenticator` checks against. */
export interface AuthOptions {
  mode: AuthMode;
  /** Keys strict mode accepts on API routes. */
  apiKeys: readonly string[];
  /** Keys that open the admin API in strict mode; refused on API routes in both modes. */
  adminKeys: readonly string[];
  /** The HMAC key tokens are signed with: random per server unless given (never derived from the seed). */
  secret: string;
  /** The wall clock for expiry. Default `Date.now`. */
  now?: () => number;
}

/** A token that does not verify, or whose signed payload is not claims. */
const INVALID_TOKEN: AuthFailure = { status: 401, title: "Invalid token", message: "The access token is not valid." };

/** Where the admin API's credentials go, for the refusal message. */
const ADMIN_HOW_TO = "send it as Authorization: Bearer <key> or X-API-Key: <key>";

/** Signs and verifies access tokens and checks credentials against the auth mode. */
export class Authenticator {
  readonly #mode: AuthMode;
  readonly #apiKeys: readonly Buffer[];
  readonly #adminKeys: readonly Buffer[];
  readonly #secret: string;
  readonly #now: () => number;

  constructor(options: AuthOptions) {
    if (options.secret.length === 0) throw new Error("the token secret must not be empty");
    const both = options.apiKeys.find((key) => options.adminKeys.includes(key));
    if (both !== undefined) throw new Error("a key cannot be both an API key and an admin key");
    this.#mode = options.mode;
    this.#apiKeys = options.apiKeys.map(digest);
    this.#adminKeys = options.adminKeys.map(digest);
    this.#secret = options.secret;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Mints a token: `base64url(header).base64url(claims).base64url(hmac)`, JWT-shaped. */
  mint(grants: accessToken.Grants, expiresIn: number): string {
    const iat = Math.floor(this.#now() / 1000);
    const body = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify({ grants, iat, exp: iat + expiresIn }))}`;
    return `${body}.${this.#sign(body)}`;
  }

  /**
   * Verifies a token's signature and reads its claims: `undefined` if it is not one of ours (not
   * JWT-shaped, or another signature); `"invalid"` if it is signed by us but its payload is not claims
   * (a signed payload is still input: `grants` must be an object, `exp` a finite number).
   */
  verify(token: string): TokenClaims | "invalid" | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, claims, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(`${header}.${claims}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
    } catch {
      return "invalid";
    }
    if (!isObject(parsed) || !isObject(parsed.grants) || typeof parsed.exp !== "number" || !Number.isFinite(parsed.exp)) return "invalid";
    return parsed as unknown as TokenClaims;
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }

  /** Whether a key is an admin credential: `sk_car_admin_…` or a configured admin key. */
  #isAdmin(key: string): boolean {
    return isAdminKey(key) || matchesAny(key, this.#adminKeys);
  }

  /**
   * Checks a request to an API path. A token must verify, be unexpired and grant the path; a key must
   * be configured (strict) or anything non-admin (open). With no credential, open mode lets it through.
   */
  check(path: string, headers: HeadersLike | undefined, query: URLSearchParams): AuthFailure | undefined {
    const credentials = readCredentials({ headers, query });
    if (credentials.length === 0) {
      return this.#mode === "open" ? undefined : { status: 401, title: "Unauthorized", message: "An API key or access token is required." };
    }
    let failure: AuthFailure | undefined;
    for (const credential of credentials) {
      const claims = credential.kind === "api_key" ? undefined : this.verify(credential.value);
      if (claims === "invalid") {
        failure ??= INVALID_TOKEN;
        continue;
      }
      if (claims) {
        if (claims.exp * 1000 <= this.#now()) {
          failure ??= { status: 401, title: "Token expired", message: "The access token has expired." };
          continue;
        }
        if (!accessToken.grantCovers(claims.grants, path)) {
          failure ??= { status: 403, title: "Forbidden", message: `The access token does not grant ${path}.` };
          continue;
        }
        return undefined;
      }
      if (credential.kind === "access_token") {
        failure ??= INVALID_TOKEN;
        continue;
      }
      const refused = this.#checkKey(credential.value);
      if (refused === undefined) return undefined;
      failure ??= refused;
    }
    return failure;
  }

  /** An API key on an API route: refused if it is an admin key, or (strict) not a configured one. */
  #checkKey(key: string): AuthFailure | undefined {
    if (this.#isAdmin(key)) return { status: 401, title: "Unauthorized", message: "Admin keys work only on admin routes." };
    if (this.#mode === "open" || matchesAny(key, this.#apiKeys)) return undefined;
    return { status: 401, title: "Unauthorized", message: "Invalid API key." };
  }

  /**
   * Checks the credential of `POST /access-token`: an API key. A token cannot mint tokens, and admin
   * keys work only on admin routes (PROTOCOL.md §1.2), in both modes.
   */
  checkMinter(headers: HeadersLike | undefined, query: URLSearchParams): AuthFailure | undefined {
    const credentials = readCredentials({ headers, query });
    if (credentials.length === 0) {
      return this.#mode === "open" ? undefined : { status: 401, title: "Unauthorized", message: "An API key is required to mint access tokens." };
    }
    let failure: AuthFailure | undefined;
    for (const credential of credentials) {
      if (credential.kind === "access_token" || this.verify(credential.value) !== undefined) {
        failure ??= { status: 401, title: "Unauthorized", message: "An API key is required to mint access tokens (an access token cannot mint one)." };
        continue;
      }
      const refused = this.#checkKey(credential.value);
      if (refused === undefined) return undefined;
      failure ??= refused;
    }
    return failure;
  }

  /**
   * Checks a request to the admin API (`/_speechwire/…`). Open mode: open. Strict mode: a configured
   * admin key in `Authorization: Bearer` or `X-API-Key` (not the query: URLs end up in logs); with no
   * admin key configured the admin API is closed.
   */
  checkAdmin(headers: HeadersLike | undefined): AuthFailure | undefined {
    if (this.#mode === "open") return undefined;
    if (this.#adminKeys.length === 0) {
      return {
        status: 401,
        title: "Unauthorized",
        message: `The admin API is closed in strict mode: start the mock with --admin-key <key> (option adminKeys) and ${ADMIN_HOW_TO}.`,
      };
    }
    const keys = readCredentials({ headers }).map((c) => c.value);
    if (keys.some((key) => matchesAny(key, this.#adminKeys))) return undefined;
    return {
      status: 401,
      title: "Unauthorized",
      message: keys.length === 0 ? `The admin API needs an admin key in strict mode: ${ADMIN_HOW_TO}.` : "Invalid admin key.",
    };
  }
}

/** A plain object (not null, not an array): what a token payload and its grants must be. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** SHA-256 of a key: compared in constant time whatever the lengths. */
function digest(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** Whether `key` is exactly one of `keys` (given as digests): no trimming, no normalization. */
function matchesAny(key: string, keys: readonly Buffer[]): boolean {
  const given = digest(key);
  let found = false;
  for (const k of keys) found = timingSafeEqual(given, k) || found;
  return found;
}
