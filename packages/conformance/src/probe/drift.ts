/**
 * Comparison: two shapes of the same probe, aspect by aspect, and the drift table that reports every
 * aspect where the target and the reference disagree.
 */
import type { ProbeEndpoint } from "./requests.js";
import type { Shape } from "./shape.js";

/** Shown for an aspect one side does not have. */
export const ABSENT = "—";

/** One difference: an aspect of a probe, as the target and the reference have it. */
export interface DriftRow {
  probe: string;
  /** The aspect, e.g. `handshake`, `sequence`, `turn.end field transcript`, `close code`. */
  what: string;
  target: string;
  reference: string;
}

/** One probe's outcome on both sides. */
export interface ProbeResult {
  name: string;
  endpoint: ProbeEndpoint;
  purpose: string;
  target: Shape;
  reference: Shape;
  drift: DriftRow[];
}

/** The probe's report (what drift.json holds). */
export interface DriftReport {
  tool: "@speechwire/conformance probe";
  format: 1;
  /** The target's base URL, credentials redacted. */
  target: string;
  /** The reference: a URL, or "speechwire mock (in-process)". */
  reference: string;
  version: string;
  voice: string;
  /** Where the STT probes' audio came from. */
  sttAudio: string;
  startedAt: string;
  finishedAt: string;
  probes: ProbeResult[];
  /** Number of drift rows over all probes. */
  drift: number;
}

/** The message type (or body) a `<type> field <path>` aspect belongs to. */
function fieldGroup(aspect: string): string | undefined {
  return /^(.+?) field .+$/u.exec(aspect)?.[1];
}

/** A group's fields as one value: `path: type, …`, or ABSENT. */
function groupValue(shape: Shape, group: string): string {
  const prefix = `${group} field `;
  const fields = Object.entries(shape).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => `${k.slice(prefix.length)}: ${v}`);
  return fields.length === 0 ? ABSENT : fields.join(", ");
}

/**
 * The aspects where two shapes differ: the reference's order first, then aspects only the target has.
 * A message type (or body) that only one side has is one row, `<type> fields`, listing its fields; a
 * type both sides have gets a row per differing field.
 */
export function compareShapes(probe: string, target: Shape, reference: Shape): DriftRow[] {
  const rows: DriftRow[] = [];
  const keys = [...Object.keys(reference), ...Object.keys(target).filter((k) => !(k in reference))];
  const has = (shape: Shape, group: string) => Object.keys(shape).some((k) => fieldGroup(k) === group);
  const folded = new Set<string>();
  for (const what of keys) {
    const group = fieldGroup(what);
    if (group !== undefined && has(target, group) !== has(reference, group)) {
      if (!folded.has(group)) rows.push({ probe, what: `${group} fields`, target: groupValue(target, group), reference: groupValue(reference, group) });
      folded.add(group);
      continue;
    }
    const t = target[what] ?? ABSENT;
    const r = reference[what] ?? ABSENT;
    if (t !== r) rows.push({ probe, what, target: t, reference: r });
  }
  return rows;
}

/** A markdown table cell: one line, pipes escaped, long values cut. */
function cell(text: string): string {
  const one = text.replace(/\r?\n/gu, " ").replace(/\|/gu, "\\|");
  return one.length > 600 ? `${one.slice(0, 599)}…` : one;
}

/** The drift table as markdown: a summary line, then one row per difference. */
export function driftMarkdown(report: DriftReport): string {
  const drifting = report.probes.filter((p) => p.drift.length > 0);
  const lines = [
    "# speechwire probe: drift",
    "",
    `Target: ${report.target}  `,
    `Reference: ${report.reference}  `,
    `Cartesia-Version: ${report.version}; voice ${report.voice}; STT audio: ${report.sttAudio}`,
    "",
  ];
  if (drifting.length === 0) {
    lines.push(`No drift: all ${report.probes.length} probes have the same shape on the target and the reference.`);
  } else {
    lines.push(`Drift in ${drifting.length} of ${report.probes.length} probes (${report.drift} differences). "${ABSENT}": not there on that side.`, "");
    lines.push("| probe | what differs | target | reference |", "|---|---|---|---|");
    for (const p of drifting) for (const r of p.drift) lines.push(`| ${cell(r.probe)} | ${cell(r.what)} | ${cell(r.target)} | ${cell(r.reference)} |`);
  }
  lines.push("", "Probes:", "");
  for (const p of report.probes) lines.push(`- \`${p.name}\` (${p.endpoint}): ${p.purpose} — ${p.drift.length === 0 ? "same" : `${p.drift.length} difference(s)`}`);
  return `${lines.join("\n")}\n`;
}
