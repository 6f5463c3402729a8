/** The catalogue as a Markdown table (`--list`, and the README between its markers). */
import { CHECKS } from "./catalogue.js";

/** Escapes a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/gu, "\\|");
}

/** Where a check's evidence comes from: the mock's journal, the runner's HTTP relay (the mock journals WebSocket sessions only), or the adapter. */
function reads(suite: string, source: "sent" | "surfaced"): string {
  if (source === "surfaced") return "adapter";
  return suite === "tts-http" || suite === "stt-batch" ? "relay" : "journal";
}

/** Every check: id, suite, what is read, section, capability needed, statement. */
export function catalogueTable(): string {
  const rows = ["| check | suite | reads | PROTOCOL.md | needs | what must hold |", "|---|---|---|---|---|---|"];
  for (const c of CHECKS) {
    rows.push(`| \`${c.id}\` | ${c.suite} | ${reads(c.suite, c.source)} | ${cell(c.section)} | ${c.requires?.join(", ") ?? ""} | ${cell(c.statement)} |`);
  }
  return rows.join("\n");
}
