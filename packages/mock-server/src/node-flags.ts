/**
 * The Node.js flags the mock's launchers start it with (`pnpm start`, the package's `start` script,
 * `--workers` processes, the benchmarks' servers). Nothing in the mock depends on them: they are a
 * performance setting, and a mock started without them behaves the same, byte for byte.
 *
 * `--max-semi-space-size=4` caps V8's young generation at 4 MiB per semi-space (Node 20's default
 * lets it grow to 16 MiB). Each 20 ms STT chunk makes about 1.6 KiB of short-lived objects (most of
 * them `ws`'s frame parsing); in a young generation grown to 16 MiB those are fresh pages: the mock's
 * process took ~3,000 page faults per 15,000-frame stream against ~300 with the cap, and 14.9 against
 * 11.4 µs of CPU per frame (medians of 6 runs, `bench/replay.mjs`; see the README's Performance).
 * TTS throughput did not change beyond the spread and the peak RSS of a 40,000-word request fell.
 */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/** True when `flag`'s option (the part before `=`) is already set in `args` or in `NODE_OPTIONS`. */
export function hasNodeFlag(flag: string, args: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ""): boolean {
  // V8 reads `_` and `-` in a flag's name alike (`--max_semi_space_size=8` sets the same option).
  const nameOf = (arg: string) => (arg.split("=")[0] as string).replaceAll("_", "-");
  const name = nameOf(flag);
  const set = (arg: string) => nameOf(arg) === name;
  return args.some(set) || nodeOptions.split(/\s+/).some(set);
}

/**
 * The flags of `NODE_FLAGS` a process started with `args` (default: this one's) still lacks: what a
 * launcher adds before the script (a flag the user set already wins).
 * @example missingNodeFlags(["--max-semi-space-size=8"]) // []
 */
export function missingNodeFlags(args: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ""): string[] {
  return NODE_FLAGS.filter((flag) => !hasNodeFlag(flag, args, nodeOptions));
}
