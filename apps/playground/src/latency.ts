/**
 * Where a turn's speech ends, from the scenario actually running: the playground fetches it from the
 * mock's admin API (`GET /_speechwire/scenarios/<name>`) and compiles its STT script with the mock's
 * own code (`compileScript`, the function the mock's turns core schedules its events with), so a
 * `turn.end`'s latency is measured from the audio position the mock itself treats as the speech end.
 */
import { compileScript } from "@speechwire/mock-server/core";
import { scenarioSchema } from "@speechwire/mock-server/scenario";

/** The speech ends of a scenario's turns, in seconds of audio, and whether the script repeats. */
export interface ScenarioSpeech {
  scenario: string;
  /** Each turn's last word end (an empty turn: the end of its pauses). */
  speechEnds: number[];
  /** Seconds one pass of the script lasts. */
  duration: number;
  loop: boolean;
  /** Seconds from a turn's speech end to its `turn.end` in the script (`timings.endDelay`). */
  endDelay: number;
}

/**
 * Compiles a scenario (as the admin API returns it) into its speech ends; `undefined` when it is not a
 * valid scenario, or when its turns follow the audio (`timing: vad`): then the speech ends are in the
 * audio sent, not in the script.
 */
export function scenarioSpeech(json: unknown): ScenarioSpeech | undefined {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success || parsed.data.stt.timing !== "audio") return undefined;
  const script = compileScript(parsed.data.stt);
  return { scenario: parsed.data.name, speechEnds: script.turns.map((t) => t.speechEnd), duration: script.duration, loop: script.loop, endDelay: parsed.data.stt.timings.endDelay };
}

/**
 * The speech end (seconds of audio) of the `k`-th turn (0-based) of the stream: the script's turns in
 * order, again and again a pass later when it loops; `undefined` past the end of a script that stops.
 * @example speechEndOfTurn({ speechEnds: [1.2, 3], duration: 4, loop: true, … }, 2) // 5.2
 */
export function speechEndOfTurn(speech: ScenarioSpeech, k: number): number | undefined {
  const n = speech.speechEnds.length;
  if (n === 0 || k < 0 || !Number.isInteger(k)) return undefined;
  if (k >= n && !speech.loop) return undefined;
  const pass = Math.floor(k / n);
  return Math.round((speech.speechEnds[k % n]! + pass * speech.duration) * 1e6) / 1e6;
}

/** Fetches and compiles the running scenario; `undefined` when the base URL is not a mock or the scenario is unknown. */
export async function fetchScenarioSpeech(base: string, scenario: string): Promise<ScenarioSpeech | undefined> {
  if (!scenario) return undefined;
  try {
    const res = await fetch(`${base}/_speechwire/scenarios/${encodeURIComponent(scenario)}`);
    if (!res.ok) return undefined;
    return scenarioSpeech(await res.json());
  } catch {
    return undefined;
  }
}
