/** @speechwire/bench/artillery: the `speechwire` Artillery engine, `artillery init` and `artillery report`. */
export { SpeechwireEngine, parseRunConfig, parseFlow, stepMetrics, LATE_FRAME_MS, type ArtilleryRunConfig, type ArtilleryEvents, type EngineStep, type StepReport } from "./engine.js";
export { artilleryScript, scenarioFiles, mockCommand, type InitOptions } from "./script.js";
export { artilleryResults, parseArtilleryReport, runTags, summaryOf, type ArtilleryReportOptions, type ArtillerySummary } from "./report.js";
export { ARTILLERY_VERSION, artilleryBin, artilleryEnv, engineModulePath, noEgressPath, runArtillery } from "./run.js";
