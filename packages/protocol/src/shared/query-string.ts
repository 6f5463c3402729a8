/** Query strings without zod (the reader encodes handshake queries with it). */

/**
 * Serializes a wire record as a query string: arrays repeat the key and spaces become `%20`
 * (what cartesia-js sends, §9.1).
 */
export function queryString(record: Record<string, string | readonly string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    for (const v of typeof value === "string" ? [value] : value) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
    }
  }
  return parts.join("&");
}
