/** WAV in and out: 16-bit PCM, the format the STT turns endpoint takes as `pcm_s16le`. */

/** Mono 16-bit little-endian PCM and its sample rate. */
export interface PcmAudio {
  sampleRate: number;
  /** Little-endian 16-bit samples, one channel. */
  pcm: Uint8Array;
}

/**
 * Reads a RIFF/WAVE file of 16-bit integer PCM (mono, or stereo and more, mixed down to mono). Other
 * encodings (8-bit, 24-bit, float, µ-law) throw an Error that says what the file holds.
 */
export function readWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a WAV file (no RIFF/WAVE header)");
  let format: { encoding: number; channels: number; sampleRate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16) throw new Error("WAV fmt chunk too short");
      format = { encoding: view.getUint16(body, true), channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
      // WAVE_FORMAT_EXTENSIBLE keeps the real encoding in its sub-format GUID's first two bytes.
      if (format.encoding === 0xfffe && size >= 26) format.encoding = view.getUint16(body + 24, true);
    } else if (id === "data") {
      if (!format) throw new Error("WAV data chunk before its fmt chunk");
      if (format.encoding !== 1 || format.bits !== 16) {
        throw new Error(`WAV holds ${format.bits}-bit ${format.encoding === 1 ? "integer PCM" : `format ${format.encoding}`}; 16-bit integer PCM is needed (e.g. sox in.wav -b 16 -e signed-integer out.wav)`);
      }
      if (format.channels < 1 || format.sampleRate < 1) throw new Error("WAV fmt chunk has no channels or no sample rate");
      const end = Math.min(bytes.byteLength, body + size);
      return { sampleRate: format.sampleRate, pcm: mixDown(bytes.subarray(body, end), format.channels) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error("WAV file has no data chunk");
}

/** Averages interleaved 16-bit channels into one (a partial last frame is dropped). */
function mixDown(data: Uint8Array, channels: number): Uint8Array {
  const frames = Math.floor(data.byteLength / (2 * channels));
  // A copy that owns its memory (a Buffer's slice() would be a view of the whole file).
  if (channels === 1) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + frames * 2));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(frames * 2);
  const outView = new DataView(out.buffer);
  for (let f = 0; f < frames; f += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += view.getInt16((f * channels + c) * 2, true);
    outView.setInt16(f * 2, Math.round(sum / channels), true);
  }
  return out;
}

/** A mono 16-bit PCM WAV file around `pcm`. */
export function writeWav(audio: PcmAudio): Uint8Array {
  const out = new Uint8Array(44 + audio.pcm.byteLength);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => out.set([...s].map((c) => c.charCodeAt(0)), at);
  text(0, "RIFF");
  view.setUint32(4, 36 + audio.pcm.byteLength, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // integer PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, audio.pcm.byteLength, true);
  out.set(audio.pcm, 44);
  return out;
}

/**
 * `seconds` of a deterministic speech-like signal (a pitch-wobbling tone in syllable-long bursts),
 * for running the agent without a recording: the same bytes for the same arguments.
 */
export function syntheticSpeech(seconds: number, sampleRate = 16000): PcmAudio {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new RangeError(`seconds must be a positive number, got ${seconds}`);
  if (!Number.isInteger(sampleRate) || sampleRate < 8000) throw new RangeError(`sampleRate must be an integer ≥ 8000, got ${sampleRate}`);
  const samples = Math.round(seconds * sampleRate);
  const pcm = new Uint8Array(samples * 2);
  const view = new DataView(pcm.buffer);
  let phase = 0;
  for (let i = 0; i < samples; i += 1) {
    const t = i / sampleRate;
    const pitch = 140 + 30 * Math.sin(2 * Math.PI * 3 * t);
    phase += (2 * Math.PI * pitch) / sampleRate;
    const envelope = Math.max(0, Math.sin(2 * Math.PI * 4 * t)); // four syllables a second
    view.setInt16(i * 2, Math.round(8000 * envelope * Math.sin(phase)), true);
  }
  return { sampleRate, pcm };
}
