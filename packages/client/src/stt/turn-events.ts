/**
 * The events of `/stt/turns/websocket` as this client gives them (camelCase `type`, the message as
 * received, transcript words in stream seconds), made in one place for both turns clients: the
 * managed `TurnsSession` (reconnects, speculation, watchdog) and the plain `TurnsSocket`.
 */
import type { sttTurns } from "@speechwire/protocol";
import { normalizeWords, type DetectedLanguage, type SttWord } from "./words.js";

/** Handshake parameters of `/stt/turns/websocket` (the protocol's query type, without auth fields). */
export type TurnsParams = Omit<sttTurns.Query, "cartesia_version" | "api_key" | "access_token" | "cartesia_client">;
/** `connected`: the session is ready (sent once per connection). */
export interface ConnectedEvent {
  type: "connected";
  requestId: string | undefined;
  message: sttTurns.Connected;
}
/** `turn.start`: the user began speaking. */
export interface TurnStartEvent {
  type: "turnStart";
  message: sttTurns.TurnStart;
}
/**
 * What the server may add to a turn's transcript (ink-preview; §3.3): absent when the message has none.
 * `words`: `{word,start,end}` in seconds from the start of the stream, shifted across reconnects like
 * STT v1's; on `turnUpdate` the words so far, on `eagerEnd` and `turnEnd` every word of the turn.
 * `languages`: the languages detected in the turn, as sent.
 */
export interface TurnText {
  transcript: string;
  words?: SttWord[];
  languages?: DetectedLanguage[];
}
/** `turn.update`: the turn's transcript so far (cumulative). */
export interface TurnUpdateEvent extends TurnText {
  type: "turnUpdate";
  message: sttTurns.TurnUpdate;
}
/** `turn.eager_end`: the user might be done. */
export interface EagerEndEvent extends TurnText {
  type: "eagerEnd";
  message: sttTurns.TurnEagerEnd;
}
/** `turn.resume`: the eager end is void; the turn goes on. */
export interface ResumeEvent {
  type: "resume";
  message: sttTurns.TurnResume;
}
/** `turn.end`: the turn's definitive transcript (may be `""`). */
export interface TurnEndEvent extends TurnText {
  type: "turnEnd";
  message: sttTurns.TurnEnd;
}

/** The event of a turns message other than `error`. */
export type TurnMessageEvent = ConnectedEvent | TurnStartEvent | TurnUpdateEvent | EagerEndEvent | ResumeEvent | TurnEndEvent;

/**
 * The event a turns message (not an `error`) makes; `offsetSeconds` is where the connection's audio
 * starts in the stream (its words' times are shifted by it), `requestId` the connection's when the
 * message has none.
 * @example turnEvent({ type: "turn.end", transcript: "Hi." }, "req-1", 0) // { type: "turnEnd", transcript: "Hi.", message }
 */
export function turnEvent(message: Exclude<sttTurns.ServerMessage, sttTurns.ErrorEvent>, requestId: string | undefined, offsetSeconds: number): TurnMessageEvent {
  switch (message.type) {
    case "connected":
      return { type: "connected", requestId: message.request_id ?? requestId, message };
    case "turn.start":
      return { type: "turnStart", message };
    case "turn.update":
      return { type: "turnUpdate", ...turnText(message, offsetSeconds), message };
    case "turn.eager_end":
      return { type: "eagerEnd", ...turnText(message, offsetSeconds), message };
    case "turn.resume":
      return { type: "resume", message };
    case "turn.end":
      return { type: "turnEnd", ...turnText(message, offsetSeconds), message };
  }
}

/** A turn message's transcript, and its words (in stream seconds) and languages when it has them. */
function turnText(message: sttTurns.TurnUpdate | sttTurns.TurnEagerEnd | sttTurns.TurnEnd, offsetSeconds: number): TurnText {
  const text: TurnText = { transcript: message.transcript };
  if (message.words) text.words = normalizeWords(message.words, offsetSeconds);
  if (message.languages) text.languages = message.languages;
  return text;
}
