/**
 * The scenario editor: YAML or JSON, validated live with the mock's own exported schema
 * (`@speechwire/mock-server/scenario`, the same `parseScenarioText` its upload route runs), each issue
 * shown as "path: message" and on the line of the field it names; uploaded with
 * `POST /_speechwire/scenarios`, after which it appears in the scenario list and can be used.
 */
import { parseScenarioText, type ScenarioIssue } from "@speechwire/mock-server/scenario";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { Connection } from "./connection.js";
import { h } from "./dom.js";

/** The editor's starting text: a complete, valid scenario. */
export const EXAMPLE_SCENARIO = `name: my-booking
description: A booking call with one eager pause, written in the playground.
stt:
  timing: audio
  turns:
    - leadSilence: 0.3
      segments:
        - say: "I'd like a table for four"
        - pause: 0.5
        - say: "at eight tonight, please."
      endSilence: 1.0
tts:
  chunkMs: 50
`;

/** Splits an issue path (`stt.turns[0].segments[1].pause`) into keys and indices. */
export function parseIssuePath(path: string): (string | number)[] {
  if (path === "(root)") return [];
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return keys;
}

/**
 * The 1-based line of the deepest node of `path` present in the document (a missing field is shown
 * on its parent's line).
 * @example issueLine(doc, counter, ["stt", "turns", 0]) // the line of the first turn
 */
export function issueLine(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    // A key with a null value has no node: use the key's own position in its parent map.
    if (depth > 0) {
      const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
      const key = path[depth - 1];
      if (isNode(parent) && "items" in parent && Array.isArray(parent.items)) {
        const pair = (parent.items as { key?: unknown }[]).find((p) => isNode(p.key) && "value" in p.key && (p.key as { value: unknown }).value === key);
        if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
      }
    }
  }
  return undefined;
}

/** Builds the scenario editor view; `onUse` selects a scenario for the session views. */
export function scenarioView(conn: Connection, onUse: (name: string) => void): { element: HTMLElement } {
  const editor = h("textarea", { class: "code", spellcheck: false, "data-testid": "scenario-text", rows: 22, wrap: "off" });
  editor.value = EXAMPLE_SCENARIO;
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const issues = h("ul", { class: "issues", "data-testid": "scenario-issues" });
  const verdict = h("div", { class: "status", "data-testid": "scenario-verdict" });
  const upload = h("button", { class: "primary", "data-testid": "scenario-upload" }, "Upload to the mock");
  const use = h("button", { "data-testid": "scenario-use", disabled: true }, "Use it");
  // Shown when the name belongs to a scenario the mock started with: the mock asks for `?replace=true`.
  const replace = h("button", { "data-testid": "scenario-replace", hidden: true }, "Replace it");
  const serverStatus = h("div", { class: "status", "data-testid": "scenario-server-status" });
  const load = h("select", { "data-testid": "scenario-load" });
  const element = h(
    "section",
    { class: "view scenario-view", "data-testid": "scenario-view" },
    h("div", { class: "row controls" }, h("label", { class: "field" }, h("span", { class: "field-label" }, "start from a scenario on the mock"), load), upload, replace, use),
    h("div", { class: "editor-grid" }, h("div", { class: "editor" }, gutter, editor), h("div", { class: "side" }, verdict, issues, serverStatus)),
  );

  let uploaded: string | undefined;

  /** Shows issues as "path: message" and marks their lines in the gutter. */
  const show = (list: ScenarioIssue[], source: "live" | "server") => {
    const counter = new LineCounter();
    const doc = parseDocument(editor.value, { lineCounter: counter, keepSourceTokens: false });
    const lines = editor.value.split("\n").length;
    const marked = new Map<number, string[]>();
    issues.replaceChildren(
      ...list.map((issue) => {
        const line = issueLine(doc, counter, parseIssuePath(issue.path));
        if (line !== undefined) marked.set(line, [...(marked.get(line) ?? []), `${issue.path}: ${issue.message}`]);
        const item = h(
          "li",
          { class: `issue issue-${source}`, "data-testid": "scenario-issue", "data-path": issue.path, ...(line !== undefined ? { "data-line": line } : {}) },
          h("code", {}, issue.path),
          `: ${issue.message}`,
          line !== undefined ? h("span", { class: "issue-line" }, ` (line ${line})`) : null,
        );
        item.addEventListener("click", () => line !== undefined && selectLine(line));
        return item;
      }),
    );
    gutter.replaceChildren(
      ...Array.from({ length: lines }, (_, i) => {
        const notes = marked.get(i + 1);
        return h("div", { class: notes ? "line error" : "line", "data-line": i + 1, ...(notes ? { title: notes.join("\n"), "data-testid": "error-line" } : {}) }, String(i + 1));
      }),
    );
  };

  const selectLine = (line: number) => {
    const starts = [0];
    for (let i = 0; i < editor.value.length; i += 1) if (editor.value[i] === "\n") starts.push(i + 1);
    const from = starts[line - 1] ?? 0;
    const to = (starts[line] ?? editor.value.length + 1) - 1;
    editor.focus();
    editor.setSelectionRange(from, to);
  };

  const validate = () => {
    const result = parseScenarioText(editor.value);
    verdict.dataset.valid = String(result.ok);
    verdict.textContent = result.ok ? `valid: scenario "${result.scenario.name}", ${result.scenario.stt.turns.length} turn(s)` : `${result.issues.length} issue(s) (checked as you type with the mock's schema)`;
    show(result.ok ? [] : result.issues, "live");
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  editor.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(validate, 120);
  });
  editor.addEventListener("scroll", () => {
    gutter.scrollTop = editor.scrollTop;
  });
  validate();

  upload.addEventListener("click", () => void send(false));
  replace.addEventListener("click", () => void send(true));
  async function send(replacing: boolean): Promise<void> {
    serverStatus.textContent = "uploading…";
    serverStatus.dataset.state = "uploading";
    use.disabled = true;
    replace.hidden = true;
    try {
      const query = replacing ? "?replace=true" : "";
      const res = await fetch(`${conn.base}/_speechwire/scenarios${query}`, { method: "POST", headers: { "content-type": "text/yaml" }, body: editor.value });
      const body = (await res.json()) as { name?: string; error?: string; issues?: ScenarioIssue[] };
      if (res.status === 201 && body.name) {
        uploaded = body.name;
        // The list first: "Use it" selects from it, and the status says the scenario is in it.
        await conn.refreshScenarios();
        serverStatus.textContent = `the mock accepted "${body.name}" (201${replacing ? ", replacing its own until the mock is reset" : ""}); it is in the scenario list now`;
        serverStatus.dataset.state = "accepted";
        use.disabled = false;
      } else {
        serverStatus.textContent = `the mock refused it: HTTP ${res.status} ${body.error ?? ""}`.trim();
        serverStatus.dataset.state = "refused";
        // 409: the name is one of the mock's own scenarios; replacing it is a deliberate second click.
        replace.hidden = res.status !== 409;
        show(body.issues ?? [], "server");
      }
    } catch (error) {
      serverStatus.textContent = `upload failed: ${(error as Error).message}`;
      serverStatus.dataset.state = "failed";
    }
  }
  use.addEventListener("click", () => uploaded && onUse(uploaded));

  const fillLoad = () => {
    const current = load.value;
    load.replaceChildren(h("option", { value: "" }, "—"), ...conn.scenarios.map((s) => h("option", { value: s.name }, s.name)));
    load.value = current;
  };
  conn.onChange(fillLoad);
  load.addEventListener("change", () => void loadScenario(load.value));
  async function loadScenario(name: string): Promise<void> {
    if (!name) return;
    const res = await fetch(`${conn.base}/_speechwire/scenarios/${encodeURIComponent(name)}`);
    if (!res.ok) {
      serverStatus.textContent = `GET scenario ${name}: HTTP ${res.status}`;
      return;
    }
    editor.value = `${JSON.stringify(await res.json(), null, 2)}\n`;
    validate();
  }

  return { element };
}
