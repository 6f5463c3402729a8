/**
 * TTS playback with Web Audio. Each context keeps its decoded audio, so it can be stopped, replayed
 * from the start and downloaded; its chunks are scheduled back to back on one AudioContext, and its
 * words are highlighted as `currentTime` passes their timestamps (seconds from the start of the
 * context's audio, docs/protocol §5.3) — only while it plays, so a stop or a replay never leaves the
 * highlight ahead of or behind the sound.
 *
 * Contexts do not talk over each other unless asked: in `queue` mode a new context starts when the
 * ones before it have finished (generated and played, or stopped); `interrupt` stops them; `overlap`
 * plays at once.
 */
import { decodeToFloat, type PlayableEncoding } from "./audio/pcm.js";

/** Counters the page exposes (data attributes) so a test can tell that audio really played. */
export interface PlayerCounters {
  scheduledSamples: number;
  playedSamples: number;
}

/** What a new context does while another one plays. */
export type OverlapMode = "queue" | "interrupt" | "overlap";

/** A context's playback state. */
export type PlaybackState = "waiting" | "queued" | "playing" | "stopped" | "ended";

/** A word of the context with its times (seconds into its audio) and its element. */
export interface PlaybackWord {
  word: string;
  start: number;
  end: number;
  el: HTMLElement;
}

/** One context's playback: its audio, its schedule, its words and their highlight. */
export class ContextPlayback {
  /** AudioContext time at which the current play's audio starts. */
  startAt: number | undefined;
  /** Decoded audio so far, chunk by chunk. */
  readonly chunks: Float32Array[] = [];
  samples = 0;
  readonly words: PlaybackWord[] = [];
  /** Indices of words in the order the highlight reached them in the current play. */
  reached: number[] = [];
  state: PlaybackState = "waiting";
  /** Generation is over (done, cancelled or failed): no more chunks come. */
  generated = false;
  /** How many times playback started (1 for the first play, +1 per replay). */
  plays = 0;
  /** The play position (seconds into the audio) the highlight was last moved to; `undefined` when it is not playing. */
  shownAt: number | undefined;
  #next = 0;
  readonly #sources = new Set<AudioBufferSourceNode>();

  constructor(
    private readonly player: Player,
    readonly encoding: PlayableEncoding,
    readonly sampleRate: number,
    /** Called whenever state or highlight changes. */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Adds a chunk: kept for replay and download, and scheduled right away when playing. */
  push(audio: Uint8Array): void {
    if (audio.byteLength === 0) return;
    const samples = decodeToFloat(audio, this.encoding);
    if (samples.length === 0) return;
    this.chunks.push(samples);
    this.samples += samples.length;
    if (this.state === "playing") this.#schedule(samples);
    else if (this.state === "waiting") this.player.request(this);
    this.onChange();
  }

  /** No more chunks will come; a queued successor may start once this one has played. */
  finish(): void {
    this.generated = true;
    this.player.changed();
  }

  /** Plays from the start at `at` (AudioContext time): everything received so far, then chunks as they come. */
  begin(at: number): void {
    this.#halt();
    this.#reset();
    this.state = "playing";
    this.plays += 1;
    this.startAt = at;
    this.#next = at;
    for (const chunk of this.chunks) this.#schedule(chunk);
    this.player.watch(this);
    this.onChange();
  }

  /** Stops what is scheduled; the highlight stops where the sound did. */
  stop(): void {
    const was = this.state;
    this.#halt();
    if (was === "playing" || was === "queued" || was === "waiting") this.state = "stopped";
    this.shownAt = undefined;
    for (const w of this.words) w.el.classList.remove("current");
    this.player.changed();
    this.onChange();
  }

  /** Plays again from the start (after the contexts before it, in `queue` mode, as a new context would). */
  replay(): void {
    this.#halt();
    this.#reset();
    this.state = "waiting";
    this.player.request(this, true);
  }

  /** AudioContext time the scheduled audio ends at. */
  get endAt(): number {
    return this.#next;
  }

  /** Whether anything is still scheduled. */
  get busy(): boolean {
    return this.#sources.size > 0;
  }

  /** The whole audio so far as one array. */
  audio(): Float32Array {
    const out = new Float32Array(this.samples);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Moves the highlight to `now`; ends the play when the audio is over. */
  tick(now: number): void {
    if (this.state !== "playing" || this.startAt === undefined) return;
    const t = now - this.startAt;
    this.shownAt = t >= 0 ? t : undefined;
    this.words.forEach((w, i) => {
      const reached = t >= w.start;
      if (reached && !w.el.classList.contains("spoken")) {
        w.el.classList.add("spoken");
        this.reached.push(i);
      }
      w.el.classList.toggle("current", reached && t < w.end);
    });
    if (this.generated && !this.busy && now >= this.#next) {
      this.state = "ended";
      this.shownAt = undefined;
      for (const w of this.words) w.el.classList.remove("current");
      this.player.changed();
    }
    this.onChange();
  }

  #schedule(samples: Float32Array): void {
    const ctx = this.player.context;
    const buffer = ctx.createBuffer(1, samples.length, this.sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(ctx.destination);
    const at = Math.max(this.#next, ctx.currentTime + 0.02);
    node.start(at);
    this.#next = at + buffer.duration;
    this.#sources.add(node);
    this.player.counters.scheduledSamples += samples.length;
    let stopped = false;
    (node as AudioBufferSourceNode & { halt?: () => void }).halt = () => (stopped = true);
    node.onended = () => {
      this.#sources.delete(node);
      if (!stopped) this.player.counters.playedSamples += samples.length;
      this.player.changed();
    };
  }

  #halt(): void {
    for (const node of this.#sources) {
      (node as AudioBufferSourceNode & { halt?: () => void }).halt?.();
      node.stop();
    }
    this.#sources.clear();
    this.#next = this.player.now;
  }

  #reset(): void {
    this.reached = [];
    this.shownAt = undefined;
    for (const w of this.words) w.el.classList.remove("spoken", "current");
  }
}

/** The shared AudioContext, the order contexts play in, and the highlight loop. */
export class Player {
  readonly counters: PlayerCounters = { scheduledSamples: 0, playedSamples: 0 };
  mode: OverlapMode = "queue";
  readonly #watched = new Set<ContextPlayback>();
  /** Contexts in the order they asked to play (queue mode plays them one after another). */
  #order: ContextPlayback[] = [];
  #context: AudioContext | undefined;
  #frame: number | undefined;

  constructor(private readonly onChange: () => void) {}

  /** The AudioContext, created on first use (a click, for browsers' autoplay rules). */
  get context(): AudioContext {
    this.#context ??= new AudioContext();
    if (this.#context.state === "suspended") void this.#context.resume();
    return this.#context;
  }

  /** The AudioContext's time (0 before it exists). */
  get now(): number {
    return this.#context?.currentTime ?? 0;
  }

  /** A new context's playback. */
  playback(encoding: PlayableEncoding, sampleRate: number, onChange?: () => void): ContextPlayback {
    return new ContextPlayback(this, encoding, sampleRate, onChange);
  }

  /** `playback` wants to play (its first audio, or a replay): now, or after the contexts before it. */
  request(playback: ContextPlayback, again = false): void {
    if (again || !this.#order.includes(playback)) {
      this.#order = this.#order.filter((p) => p !== playback);
      this.#order.push(playback);
    }
    if (this.mode === "interrupt") for (const p of this.#order) if (p !== playback && (p.state === "playing" || p.state === "queued")) p.stop();
    playback.state = "queued";
    this.#advance();
  }

  /** Keeps the highlight loop running while a context plays. */
  watch(playback: ContextPlayback): void {
    this.#watched.add(playback);
    if (this.#frame === undefined) this.#frame = requestAnimationFrame(() => this.#loop());
  }

  /** Something changed: queued contexts may start; the view updates its counters. */
  changed(): void {
    this.#advance();
    this.onChange();
  }

  /** Starts queued contexts whose turn it is. */
  #advance(): void {
    const soon = this.context.currentTime + 0.06;
    let blockedUntil = soon;
    let blocked = false;
    for (const p of this.#order) {
      if (p.state === "queued") {
        if (this.mode !== "queue") p.begin(soon);
        else if (!blocked) p.begin(Math.max(soon, blockedUntil));
        if (this.mode === "queue") blocked = true;
      } else if (p.state === "playing" && this.mode === "queue") {
        // One that waits for a context that has since stopped moves up (and starts from its beginning).
        if (!blocked && p.startAt !== undefined && p.startAt > blockedUntil + 0.05 && p.startAt > this.context.currentTime) p.begin(blockedUntil);
        // A context still generating holds the ones after it: its end is not known yet.
        if (!p.generated) blocked = true;
        blockedUntil = Math.max(blockedUntil, p.endAt);
      }
    }
    this.#order = this.#order.filter((p) => p.state === "queued" || p.state === "playing" || p.state === "waiting");
  }

  #loop(): void {
    const now = this.now;
    for (const p of this.#watched) {
      p.tick(now);
      if (p.state !== "playing") this.#watched.delete(p);
    }
    this.onChange();
    this.#frame = this.#watched.size > 0 ? requestAnimationFrame(() => this.#loop()) : undefined;
  }
}
