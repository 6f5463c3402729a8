/**
 * The event timeline: one row (lane) per event type, markers placed by the audio sent when the event
 * arrived (seconds of the audio clock, the mock's own time base), and a chronological log below.
 */
import { h } from "./dom.js";

/** One event as the timeline shows it, named by its wire `type`. */
export interface TimelineEvent {
  /** The lane: a wire type (`turn.start`, …) or `interim` / `final` / `flush_done` for v1. */
  lane: string;
  /** Milliseconds since the session started. */
  t: number;
  /** Seconds of audio sent when the event arrived. */
  audio: number;
  transcript?: string;
  note?: string;
  /** Turn events of models with word timestamps: the words (stream seconds), shown on hover. */
  words?: readonly { word: string; start: number; end: number }[];
  /** Turn events of models that detect languages: shown as a badge. */
  languages?: readonly { language: string; confidence: number }[];
}

/** `en 98%, fr 2%`. */
function languagesText(languages: readonly { language: string; confidence: number }[]): string {
  return languages.map((l) => `${l.language} ${Math.round(l.confidence * 100)}%`).join(", ");
}

/** `Hi, 0.30–0.60 s · there 0.68–0.98 s`. */
function wordsText(words: readonly { word: string; start: number; end: number }[]): string {
  return words.map((w) => `${w.word} ${w.start.toFixed(2)}–${w.end.toFixed(2)} s`).join(" · ");
}

/** Lanes of each STT endpoint, top to bottom (docs/protocol §2.3, §3.3). */
export const LANES = {
  "stt-turns": ["turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.end", "other"],
  "stt-v1": ["interim", "final", "flush_done", "other"],
} as const;

const PX_PER_SECOND = 110;

/** The timeline widget. */
export class Timeline {
  readonly element: HTMLElement;
  readonly #tracks = new Map<string, HTMLElement>();
  readonly #log: HTMLOListElement;
  readonly #ruler: HTMLElement;
  #seq = 0;
  #width = 0;

  constructor(lanes: readonly string[]) {
    this.#ruler = h("div", { class: "track ruler" });
    const rows = lanes.map((lane) => {
      const track = h("div", { class: "track", "data-lane": lane });
      this.#tracks.set(lane, track);
      return h("div", { class: `lane lane-${lane.replace(/[^a-z0-9]/gi, "-")}` }, h("div", { class: "lane-label" }, lane), track);
    });
    this.#log = h("ol", { class: "event-log", "data-testid": "event-log" });
    this.element = h(
      "div",
      { class: "timeline", "data-testid": "timeline" },
      h("div", { class: "lanes" }, h("div", { class: "lane" }, h("div", { class: "lane-label" }, "audio s"), this.#ruler), ...rows),
      this.#log,
    );
    this.#grow(6);
  }

  /** Adds an event: a marker on its lane and a line in the log. */
  add(event: TimelineEvent): void {
    this.#seq += 1;
    this.#grow(event.audio + 1);
    const track = this.#tracks.get(event.lane) ?? this.#tracks.get("other");
    const label = event.transcript !== undefined ? JSON.stringify(event.transcript) : (event.note ?? "");
    const languages = event.languages && event.languages.length > 0 ? languagesText(event.languages) : undefined;
    const words = event.words && event.words.length > 0 ? wordsText(event.words) : undefined;
    const hover = [`${event.lane} at ${event.audio.toFixed(2)} s audio, ${event.t.toFixed(0)} ms${label ? `: ${label}` : ""}`];
    if (languages) hover.push(`languages: ${languages}`);
    if (words) hover.push(`words: ${words}`);
    const marker = h(
      "div",
      {
        class: `marker marker-${event.lane.replace(/[^a-z0-9]/gi, "-")}`,
        style: `left:${(event.audio * PX_PER_SECOND).toFixed(1)}px`,
        title: hover.join("\n"),
        "data-testid": "timeline-event",
        "data-type": event.lane,
        "data-seq": this.#seq,
        ...(event.transcript !== undefined ? { "data-transcript": event.transcript } : {}),
        ...(event.words ? { "data-words": event.words.length } : {}),
        ...(event.languages ? { "data-languages": event.languages.map((l) => l.language).join(",") } : {}),
      },
      h("span", { class: "marker-dot" }),
      event.transcript ? h("span", { class: "marker-text" }, event.transcript.split(" ").slice(-3).join(" ")) : null,
      // On turn.end: the detected languages as a badge (eager ends carry them too; the hover shows them there).
      languages && event.lane === "turn.end" ? h("span", { class: "marker-badge", "data-testid": "language-badge", title: languages }, event.languages!.map((l) => l.language).join(" ")) : null,
    );
    track?.append(marker);
    this.#log.append(
      h(
        "li",
        { class: `log-${event.lane.replace(/[^a-z0-9]/gi, "-")}` },
        h("span", { class: "log-time" }, `${(event.t / 1000).toFixed(2)} s`),
        h("span", { class: "log-audio" }, `${event.audio.toFixed(2)} s audio`),
        h("span", { class: "log-type" }, event.lane),
        h("span", { class: "log-text" }, languages ? `${label} [${languages}]` : label),
      ),
    );
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  #grow(seconds: number): void {
    const width = Math.ceil(seconds) * PX_PER_SECOND;
    if (width <= this.#width) return;
    for (let s = Math.ceil(this.#width / PX_PER_SECOND); s <= Math.ceil(seconds); s += 1) {
      this.#ruler.append(h("span", { class: "tick", style: `left:${s * PX_PER_SECOND}px` }, String(s)));
    }
    this.#width = width;
    for (const track of [this.#ruler, ...this.#tracks.values()]) track.style.width = `${width}px`;
  }
}
