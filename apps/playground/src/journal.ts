/**
 * The journal view: the mock's record of each session (`GET /_speechwire/sessions[/<id>]`): every
 * frame both ways with time and audio position, and the protocol linter's violations highlighted on
 * the frames that broke a rule.
 */
// Types only (erased from the bundle): the journal records as the mock serves them.
import type { JournalEntry, SessionRecord } from "@speechwire/mock-server";
import type { Connection } from "./connection.js";
import { h } from "./dom.js";

type SessionSummary = Omit<SessionRecord, "entries">;

/**
 * Which journal entry holds each linter event index: the linter numbers every frame, while the
 * journal folds a run of client audio frames into one entry of `frames` frames.
 * @example entryIndexOf([{ kind: "binary", frames: 3 }, { kind: "text" }], 3) // 1
 */
export function entryIndexOf(entries: readonly Pick<JournalEntry, "kind" | "frames">[], eventIndex: number): number | undefined {
  let next = 0;
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i] as Pick<JournalEntry, "kind" | "frames">;
    next += entry.kind === "binary" ? (entry.frames ?? 1) : 1;
    if (eventIndex < next) return i;
  }
  return undefined;
}

/** Builds the journal view; `open(requestId, endpoint)` shows a session by request id, else the newest (of that endpoint). */
export function journalView(conn: Connection): { element: HTMLElement; open(requestId?: string, endpoint?: string): Promise<void> } {
  const refresh = h("button", { "data-testid": "journal-refresh" }, "Refresh");
  const list = h("tbody", { "data-testid": "journal-sessions" });
  const detail = h("div", { class: "journal-detail", "data-testid": "journal-detail" }, "Pick a session.");
  const status = h("div", { class: "status", "data-testid": "journal-status" });
  const element = h(
    "section",
    { class: "view journal-view", "data-testid": "journal-view" },
    h("div", { class: "row controls" }, refresh, status),
    h(
      "div",
      { class: "journal-grid" },
      h(
        "div",
        { class: "journal-list" },
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "id"), h("th", {}, "endpoint"), h("th", {}, "scenario"), h("th", {}, "state"), h("th", {}, "issues"))), list),
      ),
      detail,
    ),
  );

  let sessions: SessionSummary[] = [];

  const load = async (): Promise<void> => {
    try {
      const res = await fetch(`${conn.base}/_speechwire/sessions`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      sessions = ((await res.json()) as SessionSummary[]).slice().reverse();
      status.textContent = `${sessions.length} session(s) in the mock's journal`;
    } catch (error) {
      sessions = [];
      status.textContent = `GET /_speechwire/sessions failed: ${(error as Error).message}`;
    }
    list.replaceChildren(
      ...sessions.map((s) =>
        h(
          "tr",
          { class: s.violations.length > 0 ? "has-violations" : "", "data-testid": "journal-session", "data-id": s.id, onclick: () => void show(s.id) },
          h("td", {}, s.id),
          h("td", {}, s.endpoint),
          h("td", {}, s.scenario),
          h("td", {}, s.endedAt ? "ended" : "open"),
          h("td", {}, String(s.violations.length)),
        ),
      ),
    );
  };

  const show = async (id: string): Promise<void> => {
    for (const row of list.querySelectorAll("tr")) row.classList.toggle("selected", row.dataset.id === id);
    const res = await fetch(`${conn.base}/_speechwire/sessions/${encodeURIComponent(id)}`);
    if (!res.ok) {
      detail.textContent = `GET /_speechwire/sessions/${id}: HTTP ${res.status}`;
      return;
    }
    const record = (await res.json()) as SessionRecord;
    const byEntry = new Map<number, SessionRecord["violations"]>();
    const unplaced: SessionRecord["violations"] = [];
    for (const v of record.violations) {
      const at = entryIndexOf(record.entries, v.index);
      if (at === undefined) unplaced.push(v);
      else byEntry.set(at, [...(byEntry.get(at) ?? []), v]);
    }
    const rows = record.entries.map((entry, i) => {
      const found = byEntry.get(i);
      const body =
        entry.kind === "text"
          ? (entry.text ?? "")
          : entry.kind === "binary"
            ? `${entry.bytes ?? 0} bytes of ${entry.dir === "client" ? "audio" : "body"}${entry.frames && entry.frames > 1 ? ` in ${entry.frames} ${entry.dir === "client" ? "frames" : "chunks"}` : ""} (offset ${entry.offset ?? 0})`
            : entry.kind === "http"
              ? `HTTP ${entry.status ?? ""} ${entry.headers?.["content-type"] ?? ""}`.trim()
              : `${entry.kind} ${entry.code ?? ""} ${entry.reason ?? ""}`.trim();
      return h(
        "tr",
        { class: `entry dir-${entry.dir}${found ? " violation" : ""}`, "data-testid": found ? "journal-violation" : "journal-entry" },
        h("td", { class: "num" }, `${entry.t}`),
        h("td", { class: "num" }, entry.audio.toFixed(2)),
        h("td", { class: "dir" }, entry.dir === "client" ? "→" : "←"),
        h("td", {}, entry.kind),
        h("td", { class: "frame" }, body, ...(found ?? []).map((v) => h("div", { class: "violation-note" }, `${v.severity} ${v.rule} (${v.section}): ${v.message}`))),
      );
    });
    detail.replaceChildren(
      h(
        "div",
        { class: "journal-head" },
        h("strong", {}, `${record.id} · ${record.endpoint} · ${record.scenario}`),
        ` ${record.method ? `${record.method} ` : ""}${record.path} · version ${record.version} · request ${record.requestId} · ${record.audio.bytes} audio bytes · sha256 ${record.audio.sha256.slice(0, 12)}…`,
        // HTTP requests: the response's status, size and digest.
        record.response ? ` · HTTP ${record.response.status}, ${record.response.bytes} bytes, sha256 ${record.response.sha256.slice(0, 12)}…` : "",
      ),
      record.violations.length === 0
        ? h("div", { class: "ok-note", "data-testid": "journal-clean" }, "No violations: every frame passed the protocol's strict schemas and grammar.")
        : h("div", { class: "violations-summary" }, `${record.violations.length} violation(s)`, ...unplaced.map((v) => h("div", { class: "violation-note" }, `${v.rule}: ${v.message}`))),
      h(
        "table",
        { class: "frames" },
        h("thead", {}, h("tr", {}, h("th", {}, "ms"), h("th", {}, "audio s"), h("th", {}, ""), h("th", {}, "kind"), h("th", {}, "frame"))),
        h("tbody", {}, ...rows),
      ),
    );
    detail.dataset.sessionId = record.id;
  };

  refresh.addEventListener("click", () => void load());

  return {
    element,
    async open(requestId?: string, endpoint?: string) {
      await load();
      // Browsers cannot read upgrade headers, so a TTS socket's request id may be unknown: then the newest of its endpoint.
      const target =
        (requestId ? sessions.find((s) => s.requestId === requestId) : undefined) ??
        (endpoint ? sessions.find((s) => s.endpoint === endpoint) : undefined) ??
        sessions[0];
      if (target) await show(target.id);
    },
  };
}
