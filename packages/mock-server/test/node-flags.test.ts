/** The Node flags the mock's launchers start it with: one list, found in every launcher, never forced over the user's. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasNodeFlag, missingNodeFlags, NODE_FLAGS } from "../src/index.js";

const read = (path: string) => JSON.parse(readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8")) as { scripts: Record<string, string> };

describe("NODE_FLAGS", () => {
  it("are what `pnpm start` (the README's first command) and the package's start script run the CLI with", () => {
    const expected = `node ${NODE_FLAGS.join(" ")} `;
    expect(read("../../../package.json").scripts.start).toContain(`${expected}packages/mock-server/dist/cli.js`);
    expect(read("../package.json").scripts.start).toBe(`${expected}dist/cli.js`);
  });

  it("are all missing from a bare process and none from one that set them, as a flag or in NODE_OPTIONS", () => {
    expect(missingNodeFlags([], "")).toEqual([...NODE_FLAGS]);
    expect(missingNodeFlags(["--inspect", "--import", "tsx"], "--trace-gc")).toEqual([...NODE_FLAGS]);
    expect(missingNodeFlags([...NODE_FLAGS], "")).toEqual([]);
    expect(missingNodeFlags([], NODE_FLAGS.join(" "))).toEqual([]);
  });

  it("take the user's own value of the same option, however it is spelled (V8 reads `_` as `-`)", () => {
    fc.assert(
      fc.property(fc.nat(1024), fc.boolean(), fc.boolean(), (mib, underscores, viaEnv) => {
        for (const flag of NODE_FLAGS) {
          const name = flag.split("=")[0] as string;
          const spelled = `${underscores ? `--${name.slice(2).replaceAll("-", "_")}` : name}=${mib}`;
          expect(hasNodeFlag(flag, viaEnv ? [] : [spelled], viaEnv ? `--trace-gc ${spelled}` : "")).toBe(true);
          expect(missingNodeFlags(viaEnv ? [] : [spelled], viaEnv ? spelled : "")).not.toContain(flag);
        }
      }),
    );
  });

  it("are not confused with an option whose name only starts the same", () => {
    for (const flag of NODE_FLAGS) {
      const name = flag.split("=")[0] as string;
      expect(hasNodeFlag(flag, [`${name}-extra=1`], `${name}x=2`)).toBe(false);
    }
  });
});
