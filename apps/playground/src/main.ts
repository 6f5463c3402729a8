/**
 * The playground's entry: the connection bar (base URL, token, endpoint, scenario) and four views —
 * STT session, TTS session, scenario editor, journal — switched by tabs.
 */
import { Connection, defaultBaseUrl, ENDPOINTS, type Endpoint } from "./connection.js";
import { field, h, select, setOptions } from "./dom.js";
import { journalView } from "./journal.js";
import { scenarioView } from "./scenarios.js";
import { sttView } from "./stt.js";
import { ttsView } from "./tts.js";

const TABS = ["session", "scenarios", "journal"] as const;
type Tab = (typeof TABS)[number];

function main(root: HTMLElement): void {
  const conn = new Connection({ baseUrl: defaultBaseUrl(location), accessToken: "", apiKey: "", endpoint: "stt-turns", scenario: "" });

  const baseInput = h("input", { value: conn.settings.baseUrl, size: 30, "data-testid": "base-url" });
  const tokenInput = h("input", { placeholder: "minted per session when empty", size: 24, "data-testid": "access-token", type: "password" });
  const keyInput = h("input", { placeholder: "any key for the mock", size: 18, "data-testid": "api-key", type: "password" });
  const endpointSelect = select({ "data-testid": "endpoint" }, ENDPOINTS, conn.settings.endpoint);
  const scenarioSelect = select({ "data-testid": "scenario" }, []);
  const scenarioInfo = h("div", { class: "scenario-info", "data-testid": "scenario-description" });
  const connectButton = h("button", { "data-testid": "connect" }, "Connect");
  const connStatus = h("span", { class: "conn-status", "data-testid": "connection-status" });

  const tabButtons = new Map<Tab, HTMLButtonElement>();
  const views = new Map<Tab, HTMLElement>();
  const showTab = (tab: Tab) => {
    for (const [name, button] of tabButtons) button.classList.toggle("active", name === tab);
    for (const [name, view] of views) view.hidden = name !== tab;
    root.dataset.tab = tab;
  };

  const journal = journalView(conn);
  const openJournal = (requestId: string | undefined, endpoint?: string) => {
    showTab("journal");
    void journal.open(requestId, endpoint);
  };
  const stt = sttView(conn, openJournal);
  const tts = ttsView(conn, openJournal);
  const scenarios = scenarioView(conn, (name) => {
    conn.update({ scenario: name });
    showTab("session");
  });
  const session = h("div", { "data-testid": "session-view" }, stt.element, tts.element);
  const showEndpoint = () => {
    const isTts = conn.settings.endpoint === "tts";
    stt.element.hidden = isTts;
    tts.element.hidden = !isTts;
    stt.refresh();
  };

  views.set("session", session);
  views.set("scenarios", scenarios.element);
  views.set("journal", journal.element);
  const labels: Record<Tab, string> = { session: "Session", scenarios: "Scenario editor", journal: "Journal" };
  const nav = h(
    "nav",
    { class: "tabs" },
    ...TABS.map((tab) => {
      const button = h("button", { "data-testid": `tab-${tab}`, onclick: () => (tab === "journal" ? openJournal(undefined) : showTab(tab)) }, labels[tab]);
      tabButtons.set(tab, button);
      return button;
    }),
  );

  const connect = async () => {
    conn.update({ baseUrl: baseInput.value.trim(), accessToken: tokenInput.value, apiKey: keyInput.value });
    connStatus.textContent = "loading scenarios…";
    const problem = await conn.refreshScenarios();
    connStatus.textContent = problem ?? `connected: ${conn.scenarios.length} scenarios`;
    connStatus.dataset.state = problem ? "failed" : "ok";
  };
  connectButton.addEventListener("click", () => void connect());
  endpointSelect.addEventListener("change", () => conn.update({ endpoint: endpointSelect.value as Endpoint }));
  scenarioSelect.addEventListener("change", () => conn.update({ scenario: scenarioSelect.value }));
  tokenInput.addEventListener("change", () => conn.update({ accessToken: tokenInput.value }));
  keyInput.addEventListener("change", () => conn.update({ apiKey: keyInput.value }));
  conn.onChange(() => {
    setOptions(scenarioSelect, conn.scenarios.map((s) => [s.name, s.default ? `${s.name} (default)` : s.name] as const), conn.settings.scenario);
    scenarioInfo.textContent = conn.scenarios.find((s) => s.name === conn.settings.scenario)?.description ?? "";
    endpointSelect.value = conn.settings.endpoint;
    showEndpoint();
  });

  root.replaceChildren(
    h(
      "header",
      {},
      h("h1", {}, "speechwire ", h("span", {}, "playground")),
      h("div", { class: "row connection" }, field("base URL", baseInput), field("access token", tokenInput), field("API key (to mint tokens)", keyInput), connectButton, field("endpoint", endpointSelect), field("scenario", scenarioSelect), connStatus),
      scenarioInfo,
      nav,
    ),
    h("main", {}, session, scenarios.element, journal.element),
  );
  showEndpoint();
  showTab("session");
  void connect().then(() => {
    root.dataset.ready = "true";
  });
}

main(document.getElementById("app") as HTMLElement);
