import { createTtsCore } from "../dist/core/tts/index.js";
import { BUILTIN_SCENARIOS } from "../dist/scenario/builtin.js";
import { ttsRequestText } from "./tts-contexts.mjs";
const TEXT = "The replacement parts shipped this morning and should arrive by Friday. Please call our service line if anything is missing from the box, and keep your order number handy. Thanks again for your patience while we sorted this out.";
const scenario = BUILTIN_SCENARIOS.find((s) => s.name === "tts-basic");
const N = 3000;
const reqs = Array.from({ length: N }, (_, i) => ttsRequestText(`c-${i}`, TEXT));
for (let r = 0; r < 5; r++) { let core = createTtsCore({ version: "2026-03-01", requestId: "r", scenario, seed: 1, connection: 1 }); for (let i = 0; i < N; i++) { if (i % 100 === 0) core = createTtsCore({ version: "2026-03-01", requestId: "r", scenario, seed: 1, connection: 1 }); core.step({ kind: "text", data: reqs[i] }); } }
