/**
 * Authentication at the edge: API keys (open or strict mode) and access tokens minted by
 * `/access-token`, signed with HMAC-SHA256 and carrying their grants and expiry (PROTOCOL.md §1.2, §7).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
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

/** Signs and verifies access tokens and checks credentials against the auth mode. */
export class Authenticator {
  constructor(
    private readonly mode: AuthMode,
    private readonly apiKeys: readonly string[],
    private readonly secret: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Mints a token: `base64url(header).base64url(claims).base64url(hmac)`, JWT-shaped. */
  mint(grants: accessToken.Grants, expiresIn: number): string {
    const iat = Math.floor(this.now() / 1000);
    const body = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify({ grants, iat, exp: iat + expiresIn }))}`;
    return `${body}.${this.#sign(body)}`;
  }

  /** Verifies a token's signature and reads its claims; `undefined` if it is not one of ours. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, claims, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(`${header}.${claims}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as TokenClaims;
      return typeof parsed.exp === "number" && typeof parsed.grants === "object" ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  #sign(body: string): string {
    return createHmac("sha256", this.secret).update(body).digest("base64url");
  }

  /**
   * Checks a request to an API path. A token must verify, be unexpired and grant the path; a key must
   * be configured (strict) or anything non-admin (open). With no credential, open mode lets it through.
   */
  check(path: string, headers: HeadersLike | undefined, query: URLSearchParams): AuthFailure | undefined {
    const credentials = readCredentials({ headers, query });
    if (credentials.length === 0) {
      return this.mode === "open" ? undefined : { status: 401, title: "Unauthorized", message: "An API key or access token is required." };
    }
    let failure: AuthFailure | undefined;
    for (const credential of credentials) {
      const claims = credential.kind === "api_key" ? undefined : this.verify(credential.value);
      if (claims) {
        if (claims.exp * 1000 <= this.now()) {
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
        failure ??= { status: 401, title: "Invalid token", message: "The access token is not valid." };
        continue;
      }
      if (isAdminKey(credential.value)) {
        failure ??= { status: 401, title: "Unauthorized", message: "Admin keys work only on admin routes." };
        continue;
      }
      if (this.mode === "open" || this.apiKeys.includes(credential.value)) return undefined;
      failure ??= { status: 401, title: "Unauthorized", message: "Invalid API key." };
    }
    return failure;
  }

  /** Checks the credential of `POST /access-token`: an API key (a token cannot mint tokens). */
  checkMinter(headers: HeadersLike | undefined, query: URLSearchParams): AuthFailure | undefined {
    const keys = readCredentials({ headers, query }).filter((c) => c.kind !== "access_token" && !this.verify(c.value));
    if (keys.length === 0) {
      return this.mode === "open" && readCredentials({ headers, query }).length === 0
        ? undefined
        : { status: 401, title: "Unauthorized", message: "An API key is required to mint access tokens." };
    }
    if (this.mode === "open" || keys.some((k) => this.apiKeys.includes(k.value))) return undefined;
    return { status: 401, title: "Unauthorized", message: "Invalid API key." };
  }
}

/** Replaces secrets in a query string or header value for the journal. */
export function redact(value: string): string {
  return value.length <= 8 ? "***" : `${value.slice(0, 6)}…(redacted)`;
}
