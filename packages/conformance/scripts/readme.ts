/** Replaces the README's generated catalogue table (between its markers). */
export const START = "<!-- checks:start -->";
export const END = "<!-- checks:end -->";

/** The README text with `table` between the markers; throws when a marker is missing. */
export function withTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs ${START} … ${END}`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}
