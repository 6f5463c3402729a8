/**
 * Audio sources for STT sessions, each delivering `pcm_s16le` at the session's sample rate in real
 * time: the bundled sample (paced by the wall clock, then silence until stopped, so a turn can end and
 * a session can drain) and the microphone (getUserMedia → Web Audio at the chosen rate → 16-bit).
 */
import { floatToS16le } from "./pcm.js";
import { generateSample, speechEnds } from "./sample.js";

/** Receives each chunk of audio, and the audio position (seconds) at its end. */
export type ChunkSink = (chunk: Uint8Array, endSeconds: number) => void;

/** Something that streams audio until stopped. */
export interface AudioSource {
  readonly label: string;
  /** Where speech ends in the audio (seconds), when the source knows it (the sample does, a microphone does not). */
  readonly speechEnds?: readonly number[];
  start(sink: ChunkSink): Promise<void>;
  stop(): void;
}

/** How often the paced source sends: 40 ms chunks (the API recommends 20–100 ms, docs/protocol §1.6). */
const TICK_MS = 40;

/**
 * Streams a float signal at real-time pace, then silence (the "line" stays open) until `stop()`.
 * Each tick sends what the wall clock says is due, so timer jitter never speeds it up or slows it down.
 */
export class PacedSource implements AudioSource {
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #bytes: Uint8Array;

  constructor(
    readonly label: string,
    samples: Float32Array,
    private readonly sampleRate: number,
    readonly speechEnds?: readonly number[],
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#bytes = floatToS16le(samples);
  }

  /** The bundled sample at `sampleRate`. */
  static sample(sampleRate: number): PacedSource {
    return new PacedSource("bundled sample", generateSample(sampleRate), sampleRate, speechEnds());
  }

  async start(sink: ChunkSink): Promise<void> {
    const started = this.now();
    let sentSamples = 0;
    const tick = () => {
      const due = Math.floor(((this.now() - started) / 1000) * this.sampleRate);
      if (due <= sentSamples) return;
      const from = sentSamples * 2;
      const to = due * 2;
      const chunk = new Uint8Array(to - from);
      // Past the sample: zeros (silence) — the watchdog of a real line, done by the source itself.
      if (from < this.#bytes.length) chunk.set(this.#bytes.subarray(from, Math.min(to, this.#bytes.length)));
      sentSamples = due;
      sink(chunk, due / this.sampleRate);
    };
    this.#timer = setInterval(tick, TICK_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The microphone: an AudioContext at the session's sample rate (the browser resamples the device),
 * a ScriptProcessor taking 1024-sample blocks (64 ms at 16 kHz) and converting them to 16-bit.
 * ScriptProcessor rather than an AudioWorklet: one file, no extra module to serve, and fine for a
 * development tool.
 */
export class MicrophoneSource implements AudioSource {
  readonly label = "microphone";
  #stream: MediaStream | undefined;
  #context: AudioContext | undefined;

  constructor(private readonly sampleRate: number) {}

  async start(sink: ChunkSink): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("this page cannot use the microphone (it needs a secure origin such as http://127.0.0.1 or localhost)");
    this.#stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    const context = new AudioContext({ sampleRate: this.sampleRate });
    this.#context = context;
    const input = context.createMediaStreamSource(this.#stream);
    const processor = context.createScriptProcessor(1024, 1, 1);
    let sent = 0;
    processor.onaudioprocess = (event) => {
      const block = event.inputBuffer.getChannelData(0);
      sent += block.length;
      sink(floatToS16le(block), sent / this.sampleRate);
    };
    input.connect(processor);
    // A ScriptProcessor only runs when connected to the destination; its output stays silent.
    processor.connect(context.destination);
  }

  stop(): void {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    void this.#context?.close();
    this.#stream = undefined;
    this.#context = undefined;
  }
}
