/**
 * Replay of a recorded STT session (issue 18): the recorded server events instead of the script,
 * released on the audio clock — an event comes once the client's audio reaches the position where it
 * came in the recording, so a client streaming the same audio gets the same events in the same order
 * at any speed; an event that answered a client text frame (`finalize`, `close`, `done`) comes when
 * that frame does, after its recorded latency. Errors, closes and drops are replayed where they happened.
 *
 * Pure and deterministic like the scripted cores. With `match: digest` the audio must also be the
 * recorded bytes: at each event's position the digest of the audio so far is compared with the
 * recorded one; on a difference the session gets an error event (400 `replay_mismatch`) and closes 1008.
 */
import { bytesPerSample } from "@speechwire/protocol";
import type { RecordedStt, RecordedSttEvent, Scenario } from "../../scenario/schema.js";
import { AudioDigest } from "../audio-digest.js";
import type { CoreInput, CoreOutput } from "../types.js";
import { roundTime } from "./script.js";
import { AudioClock, badInput, SttSession, sttEncodingOf, stepSession, type SttCoreOptions, type SttEndpoint } from "./session.js";

/** What a replay needs of the handshake query. */
export interface ReplayQuery {
  encoding: string;
  sample_rate: number;
}

/** The recorded session a connection replays: the endpoint's recordings taken in turn by connection ordinal. */
export function recordingFor(scenario: Scenario, endpoint: SttEndpoint, connection: number): RecordedStt | undefined {
  const list = (scenario.replay?.stt ?? []).filter((r) => r.endpoint === endpoint);
  return list.length === 0 ? undefined : list[(Math.max(1, connection) - 1) % list.length];
}

/** The replayed core's surface (the scripted core keeps `settings` / `lists`). */
export interface SttReplay {
  open(): CoreOutput[];
  step(input: CoreInput): CoreOutput[];
  readonly audioSeconds: number;
}

/** The byte offset of an audio position in whole samples (`at` is whole samples ÷ rate, rounded to 1 µs). */
export function byteOffsetOf(at: number, sampleRate: number, encoding: string): number {
  return Math.round(at * sampleRate) * bytesPerSample(sttEncodingOf(encoding));
}

/**
 * Creates the replay of `recording` for one connection; `validate` reads a client text frame with the
 * endpoint's parser (a frame it refuses gets the usual 400 and is not counted).
 */
export function createSttReplay<Q extends ReplayQuery>(
  options: SttCoreOptions<Q>,
  endpoint: SttEndpoint,
  recording: RecordedStt,
  validate: (text: string) => { ok: true } | { ok: false; message: string },
): SttReplay {
  const { query, scenario, requestId } = options;
  const clock = new AudioClock(sttEncodingOf(query.encoding), query.sample_rate);
  const session = new SttSession({ endpoint, scenario, version: options.version, requestId, connection: options.connection });
  const events = recording.events;
  const digestMode = scenario.replay?.match === "digest";
  const offsetOf = (e: RecordedSttEvent) => byteOffsetOf(e.at, query.sample_rate, query.encoding);
  const digest = digestMode ? new AudioDigest(events.filter((e) => e.digest !== undefined && e.after === undefined).map(offsetOf)) : undefined;
  let next = 0;
  let texts = 0;

  /** The recorded frame with this session's request id (in its place, so the key order stays). */
  const rewrite = (frame: Record<string, unknown>) => ("request_id" in frame ? { ...frame, request_id: requestId } : frame) as { type: string };

  const emit = (e: RecordedSttEvent, delayMs?: number) => {
    const delay = delayMs ? { delayMs } : {};
    if (e.frame) session.send(rewrite(e.frame), delay);
    else if (e.close) session.close(e.close.code, e.close.reason, delayMs);
    else if (e.drop) session.drop(delayMs);
  };

  /** False (and the session ended with an error) when the audio differs from the recording at `e`. */
  const matches = (e: RecordedSttEvent): boolean => {
    if (!digest || e.digest === undefined) return true;
    const seen = digest.snapshot(offsetOf(e));
    if (seen === e.digest) return true;
    const message = `the audio up to ${e.at} s differs from the recorded audio (match: digest); replay with the recorded audio, or use match: position`;
    session.note("replay/audio-differs", message);
    session.sendError({ status: 400, code: "replay_mismatch", title: "Audio differs from the recording", message });
    session.close(1008, "Audio differs from the recording");
    return false;
  };

  /** Sends the events due by audio at `seconds` (and the scenario's own audio faults), in order. */
  const release = (seconds: number) => {
    while (!session.finished) {
      const e = events[next];
      const due = e !== undefined && e.after === undefined && e.at <= roundTime(seconds) ? e.at : undefined;
      const fault = session.nextAudioFault();
      if (due !== undefined && (fault === undefined || due <= fault)) {
        if (!matches(e as RecordedSttEvent)) return;
        next += 1;
        emit(e as RecordedSttEvent);
      } else if (fault !== undefined && fault <= seconds) {
        session.fireAudioFaults(fault);
      } else {
        return;
      }
    }
  };

  const onAudio = (data: Uint8Array) => {
    const whole = clock.push(data);
    digest?.push(whole);
    release(clock.seconds);
  };

  const onText = (text: string) => {
    const checked = validate(text);
    if (!checked.ok) {
      session.sendError(badInput("Invalid message", checked.message));
      return;
    }
    const k = texts;
    texts += 1;
    release(clock.seconds);
    // The frame answers what came before the last event recorded after it: all of that goes now.
    let last = -1;
    for (let i = next; i < events.length; i++) if ((events[i] as RecordedSttEvent).after === k) last = i;
    while (!session.finished && next <= last) {
      const e = events[next] as RecordedSttEvent;
      next += 1;
      emit(e, e.after === k ? e.delayMs : undefined);
    }
  };

  return {
    get audioSeconds() {
      return clock.seconds;
    },
    open(): CoreOutput[] {
      // What came before any audio (turns' `connected`): at once.
      release(0);
      return session.take();
    },
    step: (input: CoreInput): CoreOutput[] => stepSession(session, input, onAudio, onText),
  };
}

/** The scripted core `core` answering with `replay` instead (its other getters, e.g. `settings`, stay). */
export function withReplay<C extends object>(core: C, replay: SttReplay): C {
  return Object.create(core, {
    open: { value: replay.open, enumerable: true },
    step: { value: replay.step, enumerable: true },
    audioSeconds: { get: () => replay.audioSeconds, enumerable: true },
  }) as C;
}

/** An endpoint's client-message parser (`sttV1.parseClientMessage`, `sttTurns.parseClientMessage`). */
export type ClientMessageParser = (text: string, options: { strictness: "validating"; version: string }) => { ok: true } | { ok: false; error: { message: string } };

/**
 * The scripted `core`, or, when its scenario holds a recording for this endpoint, `core` replaying the
 * recording this connection takes (client text frames read with `parse`, as the script reads them).
 */
export function replayIfRecorded<C extends object, Q extends ReplayQuery>(core: C, options: SttCoreOptions<Q>, endpoint: SttEndpoint, parse: ClientMessageParser): C {
  const recording = recordingFor(options.scenario, endpoint, options.connection);
  if (!recording) return core;
  const replay = createSttReplay(options, endpoint, recording, (text) => {
    const parsed = parse(text, { strictness: "validating", version: options.version });
    return parsed.ok ? { ok: true } : { ok: false, message: parsed.error.message };
  });
  return withReplay(core, replay);
}
