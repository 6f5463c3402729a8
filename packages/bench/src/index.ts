/** @speechwire/bench: latency benchmarks of Cartesia's realtime speech APIs, against the mock or a real endpoint. */
export * from "./metrics/index.js";
export * from "./drivers/index.js";
export * from "./targets/index.js";
export { measureBaseline, type Baseline } from "./run/baseline.js";
export { pool, runEndpoint, speechOf, type EndpointOutcome, type Progress, type RunPlan, type SpeechRecord } from "./run/runner.js";
export { sttV1Session, turnsSession, ttsSession, type Pacing, type SessionHooks, type SessionValues } from "./run/sessions.js";
export { runBench, type BenchOptions } from "./run/bench.js";
export { calibrateFixed, calibrateProfile, profileAt, quantileTolerance, CALIBRATED_METRIC, type CalibrationLoad, type FixedRow, type ProfileRow } from "./run/calibrate.js";
export { resultsSchema, resultsJsonSchema, parseResults, type Results, type RunResult, type MetricResult } from "./report/schema.js";
export { writeReport, chartsOf } from "./report/write.js";
export { renderChart, type Series } from "./report/chart.js";
export { consoleReport, markdownReport } from "./report/format.js";
export { compareResults, formatComparison, type ComparedMetric } from "./compare.js";
export { measureOverhead, verdictOf, spreadOf, OVERHEAD_METRICS, PARITY_BAND, type Overhead, type OverheadMetric, type OverheadOptions, type Spread, type Verdict } from "./run/overhead.js";
export { startRecorder, startReplay, type Recording, type RecordedFrame } from "./run/replay.js";
export { ServerProcess } from "./run/child.js";
export { renderFigures, figureBlocks, updateFigures, fitsKind, type FigureKind, type FigureBlock } from "./report/figures.js";
export { commandLine, fullCommand } from "./command.js";
