/**
 * Errors as the playground shows them: an API error's status, code, title and message; a transport
 * failure's close code; and, for a WebSocket that closed before it opened, why the handshake was
 * refused.
 *
 * A browser's WebSocket never exposes a refused handshake's HTTP status or body (it reports close
 * 1006 and nothing else), and a plain `fetch` of the same URL is a different request (the mock
 * answers it 404: it is not an upgrade). What the playground can read is the mock's own rule: the
 * scenario from the admin API (`GET /_speechwire/scenarios/<name>`), whose `handshake` field is the
 * status and message the mock refuses every handshake with. That is what `explainRefusal` reports,
 * saying so.
 */
import { CartesiaApiError, ConnectionError } from "@speechwire/client";

/** An error in displayable parts. */
export interface ErrorInfo {
  /** `api`: the server reported it (status, code, title); `connection`: the transport failed. */
  kind: "api" | "connection" | "other";
  status?: number;
  code?: string | null;
  title?: string;
  message: string;
  /** The WebSocket close code, for transport failures. */
  closeCode?: number;
  requestId?: string;
}

/** The parts of any error the client reports. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof CartesiaApiError) {
    return { kind: "api", status: error.status, code: error.code, title: error.title, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}) };
  }
  if (error instanceof ConnectionError) return { kind: "connection", message: error.message, ...(error.closeCode !== undefined ? { closeCode: error.closeCode } : {}) };
  return { kind: "other", message: error instanceof Error ? error.message : String(error) };
}

/**
 * One line: `500 internal_error · Internal server error: The backend failed.`
 * @example errorLine({ kind: "api", status: 429, code: null, title: "Too many", message: "Slow down." }) // "429 · Too many: Slow down."
 */
export function errorLine(info: ErrorInfo): string {
  if (info.kind !== "api") return info.message;
  const head = [info.status, info.code].filter((p) => p !== undefined && p !== null && p !== "").join(" ");
  const text = info.title && info.title !== info.message ? `${info.title}: ${info.message}` : info.message;
  return head ? `${head} · ${text}` : text;
}

/** Why a handshake was refused, as far as the page can know. */
export interface Refusal {
  status: number;
  message: string;
  /** Where the figure comes from, said on the page. */
  source: string;
}

/**
 * Asks the mock's admin API whether `scenario` refuses handshakes; `undefined` when it does not (or
 * the base URL is not a mock): the refusal's cause is then unknown to a browser.
 */
export async function explainRefusal(base: string, scenario: string): Promise<Refusal | undefined> {
  if (!scenario) return undefined;
  try {
    const res = await fetch(`${base}/_speechwire/scenarios/${encodeURIComponent(scenario)}`);
    if (!res.ok) return undefined;
    const body = (await res.json()) as { handshake?: { status?: unknown; message?: unknown } };
    const status = body.handshake?.status;
    if (typeof status !== "number") return undefined;
    const message = typeof body.handshake?.message === "string" ? body.handshake.message : `Scenario "${scenario}" refuses the handshake with ${status}.`;
    return { status, message, source: `scenario "${scenario}" refuses every handshake (its rule, from the mock's admin API: a browser WebSocket cannot read the refusal)` };
  } catch {
    return undefined;
  }
}

/** The status line after a WebSocket closed before it opened. */
export function refusalLine(refusal: Refusal | undefined, closeCode: number | undefined): string {
  if (refusal) return `handshake refused: HTTP ${refusal.status} · ${refusal.message} (${refusal.source})`;
  return `could not connect: close ${closeCode ?? 1006} before the socket opened (a refused handshake or an unreachable server; a browser WebSocket cannot read the HTTP status)`;
}
