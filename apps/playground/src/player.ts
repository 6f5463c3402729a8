/**
 * TTS playback with Web Audio: each context's chunks are decoded to float and scheduled back to back
 * on one AudioContext, and its words are highlighted as `currentTime` passes their timestamps
 * (seconds from the start of the context's audio, docs/protocol §5.3).
 */
import { decodeToFloat, type PlayableEncoding } from "./audio/pcm.js";

/** Counters the page exposes (data attributes) so a test can tell that audio really played. */
export interface PlayerCounters {
  scheduledSamples: number;
  playedSamples: number;
}

/** One context's playback: its schedule, its words and their highlight. */
export class ContextPlayback {
  /** AudioContext time at which this context's audio starts (set by the first chunk). */
  startAt: number | undefined;
  #next = 0;
  readonly #sources = new Set<AudioBufferSourceNode>();
  readonly words: { word: string; start: number; end: number; el: HTMLElement }[] = [];
  /** Indices of words in the order the highlight reached them. */
  readonly reached: number[] = [];
  stopped = false;

  constructor(
    private readonly player: Player,
    private readonly encoding: PlayableEncoding,
    private readonly sampleRate: number,
  ) {}

  /** Schedules one chunk right after the previous one (or 60 ms from now for the first). */
  play(audio: Uint8Array): void {
    if (this.stopped || audio.byteLength === 0) return;
    const ctx = this.player.context;
    const samples = decodeToFloat(audio, this.encoding);
    if (samples.length === 0) return;
    const buffer = ctx.createBuffer(1, samples.length, this.sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(ctx.destination);
    const at = Math.max(this.#next, ctx.currentTime + 0.06);
    this.startAt ??= at;
    node.start(at);
    this.#next = at + buffer.duration;
    this.#sources.add(node);
    this.player.counters.scheduledSamples += samples.length;
    node.onended = () => {
      this.#sources.delete(node);
      if (!this.stopped) this.player.counters.playedSamples += samples.length;
      this.player.changed();
    };
    this.player.watch(this);
  }

  /** Stops what is scheduled (cancel). */
  stop(): void {
    this.stopped = true;
    for (const node of this.#sources) node.stop();
    this.#sources.clear();
  }

  /** Whether anything is still scheduled. */
  get busy(): boolean {
    return this.#sources.size > 0;
  }

  /** Moves the highlight to `currentTime`. */
  tick(now: number): void {
    if (this.startAt === undefined) return;
    const t = now - this.startAt;
    this.words.forEach((w, i) => {
      const reached = t >= w.start;
      if (reached && !w.el.classList.contains("spoken")) {
        w.el.classList.add("spoken");
        this.reached.push(i);
      }
      w.el.classList.toggle("current", reached && t < w.end && !this.stopped);
    });
  }
}

/** The shared AudioContext and the highlight loop. */
export class Player {
  readonly counters: PlayerCounters = { scheduledSamples: 0, playedSamples: 0 };
  readonly #watched = new Set<ContextPlayback>();
  #context: AudioContext | undefined;
  #frame: number | undefined;

  constructor(private readonly onChange: () => void) {}

  /** The AudioContext, created on first use (a click, for browsers' autoplay rules). */
  get context(): AudioContext {
    this.#context ??= new AudioContext();
    if (this.#context.state === "suspended") void this.#context.resume();
    return this.#context;
  }

  /** A new context's playback. */
  playback(encoding: PlayableEncoding, sampleRate: number): ContextPlayback {
    return new ContextPlayback(this, encoding, sampleRate);
  }

  /** Keeps the highlight loop running while a context plays. */
  watch(playback: ContextPlayback): void {
    this.#watched.add(playback);
    if (this.#frame === undefined) this.#frame = requestAnimationFrame(() => this.#loop());
  }

  /** Tells the view that counters changed. */
  changed(): void {
    this.onChange();
  }

  #loop(): void {
    const now = this.#context?.currentTime ?? 0;
    for (const p of this.#watched) {
      p.tick(now);
      const last = p.words.at(-1);
      const finished = p.stopped || (!p.busy && (last === undefined || p.startAt === undefined || now - p.startAt >= last.end));
      if (p.stopped || (finished && p.reached.length === p.words.length)) this.#watched.delete(p);
    }
    this.onChange();
    this.#frame = this.#watched.size > 0 ? requestAnimationFrame(() => this.#loop()) : undefined;
  }
}
