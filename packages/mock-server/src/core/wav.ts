/** Reading WAV headers: the batch endpoint times uploads with it, the tests check the TTS WAV output. */

/** What a WAV header says. */
export interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Where the `data` chunk's bytes start, and how many there are. */
  dataOffset: number;
  dataBytes: number;
  /** Seconds of audio in the data chunk. */
  duration: number;
  /** The `fact` chunk's sample count, when there is one. */
  factSamples?: number;
}

/** Reads a RIFF/WAVE header (walking the chunks up to `data`); undefined when it is not one. */
export function parseWav(bytes: Uint8Array): WavInfo | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
  let at = 12;
  let info: Omit<WavInfo, "dataOffset" | "dataBytes" | "duration"> | undefined;
  let factSamples: number | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      info = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "fact") {
      factSamples = view.getUint32(body, true);
    } else if (id === "data") {
      if (!info || info.byteRate === 0) return undefined;
      // Streamed WAVs write a placeholder size (0 or 0xFFFFFFFF): count the bytes present instead.
      const present = bytes.length - body;
      const dataBytes = size === 0 || size > present ? present : size;
      return {
        ...info,
        dataOffset: body,
        dataBytes,
        duration: dataBytes / info.byteRate,
        ...(factSamples !== undefined ? { factSamples } : {}),
      };
    }
    at = body + size + (size % 2); // chunks are word-aligned
  }
  return undefined;
}
