/** The catalogue as a Markdown table (`--list`, and the README between its markers). */
import { CHECKS } from "./catalogue.js";

/** Escapes a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/gu, "\\|");
}

/** Where a check's evidence comes from: the mock's journal (WebSocket sessions and HTTP requests alike) or the adapter. */
function reads(source: "sent" | "surfaced"): string {
  return source === "surfaced" ? "adapter" : "journal";
}

/** Every check: id, suite, what is read, section, capability needed, statement. */
export function catalogueTable(): string {
  const rows = ["| check | suite | reads | docs/protocol | needs | what must hold |", "|---|---|---|---|---|---|"];
  for (const c of CHECKS) {
    rows.push(`| \`${c.id}\` | ${c.suite} | ${reads(c.source)} | ${cell(c.section)} | ${c.requires?.join(", ") ?? ""} | ${cell(c.statement)} |`);
  }
  return rows.join("\n");
}
