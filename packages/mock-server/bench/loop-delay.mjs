/**
 * A benchmark hook loaded into the mock's process (`node --import ./bench/loop-delay.mjs dist/cli.js`):
 * samples the event loop's delay every millisecond (`perf_hooks.monitorEventLoopDelay`) and, on each
 * SIGUSR2, prints what it saw since the last one as one line on stderr,
 * `speechwire-loop-delay {"count","p50","p99","max"}` (ms), then starts over. Not part of the mock.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const ms = (ns) => Math.round(ns / 1000) / 1000;
process.on("SIGUSR2", () => {
  const seen = { count: histogram.count, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
  process.stderr.write(`speechwire-loop-delay ${JSON.stringify(seen)}\n`);
  histogram.reset();
});
