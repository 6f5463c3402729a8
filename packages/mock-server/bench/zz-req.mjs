import { createTtsCore } from "../dist/core/tts/index.js";
import { BUILTIN_SCENARIOS } from "../dist/scenario/builtin.js";
import { Journal } from "../dist/server/journal.js";
import { tts } from "@speechwire/protocol";
import { ttsRequestText } from "./tts-contexts.mjs";
const TEXT = "The replacement parts shipped this morning and should arrive by Friday. Please call our service line if anything is missing from the box, and keep your order number handy. Thanks again for your patience while we sorted this out.";
const scenario = BUILTIN_SCENARIOS.find((s) => s.name === "tts-basic");
const N = 3000;
function run(label, fn) { for (let r = 0; r < 4; r++) { const t = performance.now(); fn(); console.log(label, ((performance.now() - t) / N * 1000).toFixed(1), "us/request"); } }
const reqs = Array.from({ length: N }, (_, i) => ttsRequestText(`c-${i}`, TEXT));
run("core.step(request)", () => { let core; for (let i = 0; i < N; i++) { if (i % 100 === 0) core = createTtsCore({ version: "2026-03-01", requestId: "r", scenario, seed: 1, connection: 1 }); core.step({ kind: "text", data: reqs[i] }); } });
run("parseClientMessage validating", () => { for (let i = 0; i < N; i++) tts.parseClientMessage(reqs[i], { strictness: "validating", version: "2026-03-01" }); });
run("journal.text(client)", () => { const j = new Journal(); const s = j.open({ endpoint: "tts", scenario: "x", version: "2026-03-01", requestId: "r", path: "/tts/websocket", query: new URLSearchParams(), headers: {} }); for (let i = 0; i < N; i++) s.text("client", reqs[i], 0); });
