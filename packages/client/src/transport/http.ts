/** HTTP requests with the client's credentials and version; error responses become `CartesiaApiError`s. */
import { CartesiaApiError, ConnectionError } from "../errors.js";
import { isAbortError } from "../util/abort.js";
import { httpHeaders, httpUrl, type ClientConfig } from "../config.js";

/** Options of one request. */
export interface HttpRequest {
  path: string;
  query?: string;
  method?: "GET" | "POST";
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** Sends a request; resolves with a 2xx response, rejects with a typed error otherwise. */
export async function request(config: ClientConfig, req: HttpRequest): Promise<Response> {
  const doFetch = config.fetch ?? globalThis.fetch;
  if (typeof doFetch !== "function") throw new ConnectionError("No fetch implementation: pass `fetch` to createClient");
  let res: Response;
  try {
    res = await doFetch(httpUrl(config, req.path, req.query), {
      method: req.method ?? "POST",
      headers: { ...httpHeaders(config), ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new ConnectionError(`${req.method ?? "POST"} ${req.path} failed: ${(error as Error).message}`, { cause: error });
  }
  if (!res.ok) {
    const rid = res.headers.get("cartesia-request-id") ?? res.headers.get("x-request-id") ?? undefined;
    let body = "";
    try {
      body = await res.text();
    } catch {
      // The body could not be read; the status still says what happened.
    }
    throw CartesiaApiError.fromHttp(res.status, body, rid, "http");
  }
  return res;
}

/** The request id of a response, from either header (§1.5). */
export function responseRequestId(res: Response): string | undefined {
  return res.headers.get("cartesia-request-id") ?? res.headers.get("x-request-id") ?? undefined;
}

/** Reads a response body as it streams; stops (and cancels the body) when the consumer stops. */
export async function* readBody(res: Response): AsyncGenerator<Uint8Array> {
  const body = res.body;
  if (!body) {
    const whole = new Uint8Array(await res.arrayBuffer());
    if (whole.byteLength > 0) yield whole;
    return;
  }
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      if (next.value.byteLength > 0) yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
