/**
 * The event timeline: one row (lane) per event type, markers placed by the audio sent when the event
 * arrived (seconds of the audio clock, the mock's own time base), and a chronological log below.
 *
 * It uses the full width: the window on the audio axis fits the session until you zoom (buttons,
 * Ctrl/⌘ + wheel) or pan (drag, wheel, arrow buttons). Labels of a lane never overlap: one that
 * would collide joins the label before it, which shows a `+k` count whose hover lists them (see
 * `placeLabels` in layout.ts). A marker's hover shows its whole payload; a click pins it below.
 */
import { h } from "./dom.js";
import { errorLine, type ErrorInfo } from "./errors.js";
import { badgeWidth, clampView, DOT_RADIUS, LABEL_OFFSET, panView, placeLabels, ticksOf, zoomView, type View } from "./layout.js";

/** One event as the timeline shows it, named by its wire `type`. */
export interface TimelineEvent {
  /** The lane: a wire type (`turn.start`, …) or `interim` / `final` / `flush_done` for v1, `error`, `other`. */
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
  /** An error event: shown in the error colour with its status, code, title and message. */
  error?: ErrorInfo;
  /** The event as the client read it, shown whole on hover and on click. */
  payload?: unknown;
}

/** `en 98%, fr 2%`. */
function languagesText(languages: readonly { language: string; confidence: number }[]): string {
  return languages.map((l) => `${l.language} ${Math.round(l.confidence * 100)}%`).join(", ");
}

/** `Hi, 0.30–0.60 s · there 0.68–0.98 s`. */
function wordsText(words: readonly { word: string; start: number; end: number }[]): string {
  return words.map((w) => `${w.word} ${w.start.toFixed(2)}–${w.end.toFixed(2)} s`).join(" · ");
}

/** JSON of a payload, with errors as their fields (JSON.stringify drops an Error's). */
export function payloadJson(payload: unknown): string {
  return JSON.stringify(
    payload,
    (_key, value: unknown) => {
      if (value instanceof Error) return { name: value.name, ...Object.fromEntries(Object.entries(value)), message: value.message };
      if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
      return value;
    },
    2,
  );
}

/** An error marker's label: `500 internal_error`, or `close 1011` for a connection that ended badly. */
function errorTag(error: ErrorInfo): string {
  const tag = [error.status, error.code].filter((p) => p !== undefined && p !== null).join(" ");
  return tag || (error.closeCode !== undefined ? `close ${error.closeCode}` : "error");
}

/** Lanes of each STT endpoint, top to bottom (docs/protocol §2.3, §3.3). */
export const LANES = {
  "stt-turns": ["turn.start", "turn.update", "turn.eager_end", "turn.resume", "turn.end", "error", "other"],
  "stt-v1": ["interim", "final", "flush_done", "error", "other"],
} as const;

/** Seconds the window shows before any event (and the least it fits). */
const MIN_DURATION = 6;
const cls = (lane: string) => lane.replace(/[^a-z0-9]/gi, "-");

interface Marker {
  event: TimelineEvent;
  seq: number;
  el: HTMLElement;
  text: HTMLElement | undefined;
  badge: HTMLElement;
  /** The label's text width in px, measured once. */
  width: number;
  /** What the label says (for a group's hover). */
  label: string;
}

/** The timeline widget. */
export class Timeline {
  readonly element: HTMLElement;
  readonly #tracks = new Map<string, HTMLElement>();
  readonly #markers = new Map<string, Marker[]>();
  readonly #log: HTMLOListElement;
  readonly #ruler: HTMLElement;
  readonly #lanes: HTMLElement;
  readonly #range: HTMLElement;
  readonly #detail: HTMLElement;
  #seq = 0;
  #duration = MIN_DURATION;
  #view: View = { start: 0, end: MIN_DURATION };
  /** Fit: the window follows the session; off once you zoom or pan (Fit turns it back on). */
  #fit = true;
  #frame: number | undefined;
  #selected: Marker | undefined;

  constructor(lanes: readonly string[]) {
    this.#ruler = h("div", { class: "track ruler" });
    const rows = lanes.map((lane) => {
      const track = h("div", { class: "track", "data-lane": lane });
      this.#tracks.set(lane, track);
      this.#markers.set(lane, []);
      return h("div", { class: `lane lane-${cls(lane)}` }, h("div", { class: "lane-label" }, lane), track);
    });
    this.#log = h("ol", { class: "event-log", "data-testid": "event-log" });
    this.#range = h("span", { class: "timeline-range", "data-testid": "timeline-range" });
    this.#detail = h("div", { class: "timeline-detail", "data-testid": "timeline-detail", hidden: true });
    const button = (id: string, label: string, title: string, action: () => void) => h("button", { class: "small", "data-testid": id, title, onclick: action }, label);
    const toolbar = h(
      "div",
      { class: "timeline-tools" },
      button("timeline-pan-left", "◀", "pan left (or drag the lanes, or scroll)", () => this.pan(-0.25)),
      button("timeline-zoom-out", "−", "zoom out (Ctrl/⌘ + wheel)", () => this.zoom(1 / 2)),
      button("timeline-zoom-in", "+", "zoom in (Ctrl/⌘ + wheel)", () => this.zoom(2)),
      button("timeline-pan-right", "▶", "pan right", () => this.pan(0.25)),
      button("timeline-fit", "Fit", "show the whole session and follow it", () => this.fit()),
      this.#range,
    );
    this.#lanes = h("div", { class: "lanes", "data-testid": "timeline-lanes" }, h("div", { class: "lane" }, h("div", { class: "lane-label" }, "audio s"), this.#ruler), ...rows);
    this.element = h("div", { class: "timeline", "data-testid": "timeline" }, toolbar, this.#lanes, this.#detail, this.#log);
    this.#wire();
    this.#schedule();
  }

  /** The window on the audio axis (seconds). */
  get view(): View {
    return { ...this.#view };
  }

  /** Adds an event: a marker on its lane and a line in the log. */
  add(event: TimelineEvent): void {
    this.#seq += 1;
    const lane = this.#tracks.has(event.lane) ? event.lane : "other";
    const track = this.#tracks.get(lane)!;
    const label = event.error ? errorLine(event.error) : event.transcript !== undefined ? JSON.stringify(event.transcript) : (event.note ?? "");
    const languages = event.languages && event.languages.length > 0 ? languagesText(event.languages) : undefined;
    const words = event.words && event.words.length > 0 ? wordsText(event.words) : undefined;
    const hover = [`${event.lane} at ${event.audio.toFixed(2)} s audio, ${event.t.toFixed(0)} ms${label ? `: ${label}` : ""}`];
    if (languages) hover.push(`languages: ${languages}`);
    if (words) hover.push(`words: ${words}`);
    if (event.payload !== undefined) hover.push(payloadJson(event.payload));
    const shortText = event.error ? errorTag(event.error) : event.transcript ? event.transcript.split(" ").slice(-3).join(" ") : "";
    const text = shortText ? h("span", { class: "marker-text" }, shortText) : undefined;
    const badge = h("span", { class: "marker-count", "data-testid": "timeline-cluster", hidden: true });
    const el = h(
      "div",
      {
        class: `marker marker-${cls(event.lane)}`,
        title: hover.join("\n"),
        "data-testid": "timeline-event",
        "data-type": event.lane,
        "data-seq": this.#seq,
        "data-audio": event.audio.toFixed(3),
        ...(event.transcript !== undefined ? { "data-transcript": event.transcript } : {}),
        ...(event.words ? { "data-words": event.words.length } : {}),
        ...(event.languages ? { "data-languages": event.languages.map((l) => l.language).join(",") } : {}),
        ...(event.error?.status !== undefined ? { "data-status": event.error.status } : {}),
      },
      h("span", { class: "marker-dot" }),
      text,
      badge,
      // On turn.end: the detected languages as a badge (eager ends carry them too; the hover shows them there).
      languages && event.lane === "turn.end" ? h("span", { class: "marker-badge", "data-testid": "language-badge", title: languages }, event.languages!.map((l) => l.language).join(" ")) : null,
    );
    track.append(el);
    const marker: Marker = { event, seq: this.#seq, el, text, badge, width: 0, label: label || event.lane };
    this.#measure(marker);
    this.#markers.get(lane)!.push(marker);
    el.addEventListener("click", (e) => {
      e.stopPropagation();
      this.#select(marker);
    });

    const line = h(
      "li",
      { class: `log-${cls(event.lane)}`, "data-testid": event.error ? "log-error" : "log-line" },
      h("span", { class: "log-time" }, `${(event.t / 1000).toFixed(2)} s`),
      h("span", { class: "log-audio" }, `${event.audio.toFixed(2)} s audio`),
      h("span", { class: "log-type" }, event.lane),
      h("span", { class: "log-text" }, languages ? `${label} [${languages}]` : label),
    );
    line.addEventListener("click", () => this.#select(marker));
    this.#log.append(line);
    this.#log.scrollTop = this.#log.scrollHeight;
    this.#duration = Math.max(this.#duration, Math.ceil(event.audio + 1));
    this.#schedule();
  }

  /** Zooms by `factor` (> 1: in) around `focus` seconds (default: the window's middle). */
  zoom(factor: number, focus = (this.#view.start + this.#view.end) / 2): void {
    this.#fit = false;
    this.#view = zoomView(this.#view, factor, focus, this.#duration);
    this.#render();
  }

  /** Pans by a fraction of the window (negative: left). */
  pan(fraction: number): void {
    this.#fit = false;
    this.#view = panView(this.#view, fraction * (this.#view.end - this.#view.start), this.#duration);
    this.#render();
  }

  /** Shows the whole session and follows it again. */
  fit(): void {
    this.#fit = true;
    this.#render();
  }

  /** A label's width (text and language badge, not the dot), measured once while it is shown: the layout needs real widths. */
  #measure(m: Marker): void {
    if (m.width > 0 || !m.text) return;
    m.width = Math.max(0, m.el.getBoundingClientRect().width - LABEL_OFFSET - DOT_RADIUS);
  }

  #select(marker: Marker): void {
    this.#selected?.el.classList.remove("selected");
    this.#selected = marker;
    marker.el.classList.add("selected");
    const e = marker.event;
    this.#detail.hidden = false;
    this.#detail.replaceChildren(
      h("div", { class: "detail-head" }, h("strong", {}, e.lane), ` #${marker.seq} at ${e.audio.toFixed(3)} s audio, ${e.t.toFixed(0)} ms`, h("button", { class: "small", "data-testid": "timeline-detail-close", onclick: () => (this.#detail.hidden = true) }, "×")),
      e.error ? h("div", { class: "detail-error" }, errorLine(e.error)) : "",
      h("pre", { "data-testid": "timeline-payload" }, payloadJson(e.payload ?? { lane: e.lane, transcript: e.transcript, note: e.note, words: e.words, languages: e.languages })),
    );
  }

  #wire(): void {
    const width = () => Math.max(1, this.#ruler.clientWidth);
    const secondsAt = (clientX: number) => {
      const rect = this.#ruler.getBoundingClientRect();
      return this.#view.start + ((clientX - rect.left) / width()) * (this.#view.end - this.#view.start);
    };
    this.#lanes.addEventListener(
      "wheel",
      (e) => {
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          this.zoom(e.deltaY < 0 ? 1.25 : 0.8, secondsAt(e.clientX));
        } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) {
          e.preventDefault();
          this.pan(((e.shiftKey ? e.deltaY : e.deltaX) / width()) * 1);
        }
      },
      { passive: false },
    );
    let drag: { x: number; view: View } | undefined;
    this.#lanes.addEventListener("pointerdown", (e) => {
      if ((e.target as HTMLElement).closest(".marker")) return;
      drag = { x: e.clientX, view: this.#view };
      // Captured: the drag goes on outside the lanes, and no listener is left on the window.
      this.#lanes.setPointerCapture(e.pointerId);
    });
    this.#lanes.addEventListener("pointermove", (e) => {
      if (!drag || Math.abs(drag.x - e.clientX) < 2) return;
      const seconds = ((drag.x - e.clientX) / width()) * (drag.view.end - drag.view.start);
      this.#fit = false;
      this.#view = panView(drag.view, seconds, this.#duration);
      this.#render();
    });
    const end = () => (drag = undefined);
    this.#lanes.addEventListener("pointerup", end);
    this.#lanes.addEventListener("pointercancel", end);
    // The window fills the width the page gives it: re-lay out when that changes (and let go once the
    // timeline is replaced by the next session's).
    const resize = new ResizeObserver(() => {
      if (this.#lanes.isConnected) this.#schedule();
      else if (this.#seq > 0) resize.disconnect();
    });
    resize.observe(this.#lanes);
  }

  /** One layout per frame, however many events arrive in it. */
  #schedule(): void {
    if (this.#frame !== undefined) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = undefined;
      this.#render();
    });
  }

  #render(): void {
    if (this.#fit) this.#view = { start: 0, end: this.#duration };
    this.#view = clampView(this.#view, this.#duration);
    const view = this.#view;
    const width = this.#ruler.clientWidth;
    if (width <= 0) return; // hidden: laid out when shown
    const pps = width / (view.end - view.start);
    const { ticks } = ticksOf(view, width);
    this.#ruler.replaceChildren(...ticks.map((s) => h("span", { class: "tick", style: `left:${((s - view.start) * pps).toFixed(1)}px` }, Number.isInteger(s) ? String(s) : s.toFixed(2).replace(/0+$/, ""))));
    this.#range.textContent = `${view.start.toFixed(2)}–${view.end.toFixed(2)} s of ${this.#duration} s${this.#fit ? " (fit)" : ""}`;
    this.element.dataset.viewStart = view.start.toFixed(3);
    this.element.dataset.viewEnd = view.end.toFixed(3);
    this.element.dataset.pxPerSecond = pps.toFixed(2);
    for (const markers of this.#markers.values()) {
      const inView: Marker[] = [];
      for (const m of markers) {
        const x = (m.event.audio - view.start) * pps;
        const visible = x >= -6 && x <= width + 6;
        m.el.hidden = !visible;
        m.el.style.left = `${x.toFixed(1)}px`;
        if (visible) {
          if (m.text) m.text.hidden = false;
          this.#measure(m);
          inView.push(m);
        }
      }
      const groups = placeLabels(inView.map((m) => ({ x: (m.event.audio - view.start) * pps, width: m.width })));
      for (const group of groups) {
        group.members.forEach((index, k) => {
          const m = inView[index]!;
          const lead = k === 0;
          if (m.text) m.text.hidden = !lead;
          m.el.dataset.labelShown = String(lead && m.text !== undefined);
          m.el.classList.toggle("grouped", !lead);
          m.badge.hidden = !(lead && group.members.length > 1);
          if (lead && group.members.length > 1) {
            const others = group.members.slice(1).map((i) => inView[i]!);
            m.badge.textContent = `+${others.length}`;
            m.badge.style.width = `${badgeWidth(others.length) - 2}px`; // the flex gap is the other 2 px
            m.badge.title = [`${others.length} more here:`, ...others.map((o) => `${o.event.lane} at ${o.event.audio.toFixed(2)} s: ${o.label}`)].join("\n");
            m.el.style.zIndex = "3";
          } else m.el.style.zIndex = lead ? "2" : "1";
        });
      }
    }
  }
}
