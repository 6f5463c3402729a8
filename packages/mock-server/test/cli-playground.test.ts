/**
 * The built `speechwire-mock` and its playground flags, run from a copy of the package folder (dist,
 * package.json, the workspace's node_modules linked) so the bundled `playground/` is present or absent
 * as each test needs, whatever state the workspace's own copy is in: served at `/` to browsers by
 * default, one clear line and the JSON status when the build has none, `--no-playground`,
 * `--playground DIR` instead, and the usage errors of the two together. A path with an empty segment
 * (`//`) is no file of the folder, so it gets the same 404 with a playground as without one.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveStaticPath } from "../src/server/static.js";
import { ensureBuilt, PACKAGE_DIR } from "./fuzz/mock-process.js";

const FC = {
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};

const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const BUNDLED = "<!doctype html><title>bundled playground</title>";
const OTHER = "<!doctype html><title>another build</title>";

let base: string;
let pkg: string;
const cli = () => join(pkg, "dist", "cli.js");

/** Starts the copied CLI and resolves once it has announced itself (all of its human text). */
async function start(args: string[]): Promise<{ text: string; http: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [cli(), "--port", "0", "--tls-port", "off", ...args], { cwd: base, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  let text = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  child.stdout.setEncoding("utf8");
  await new Promise<void>((done, fail) => {
    child.stdout.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("select one per connection")) done();
    });
    void exited.then((code) => fail(new Error(`exited ${code}: ${stderr}`)));
  });
  const http = /http\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] as string;
  return {
    text,
    http,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

beforeAll(() => {
  ensureBuilt();
  base = mkdtempSync(join(tmpdir(), "mock-playground-cli-"));
  pkg = join(base, "mock-server");
  mkdirSync(pkg);
  cpSync(join(PACKAGE_DIR, "dist"), join(pkg, "dist"), { recursive: true });
  cpSync(join(PACKAGE_DIR, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(PACKAGE_DIR, "node_modules"), join(pkg, "node_modules"));
  mkdirSync(join(base, "other"));
  writeFileSync(join(base, "other", "index.html"), OTHER);
}, 120_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("speechwire-mock's playground", () => {
  it("without a bundled playground: one line says so, and / is the JSON status for browsers", async () => {
    rmSync(join(pkg, "playground"), { recursive: true, force: true });
    const mock = await start([]);
    try {
      const lines = mock.text.split("\n").filter((line) => line.includes("playground"));
      expect(lines).toEqual([`  playground: none bundled in this build (${join(pkg, "playground")}): / is the JSON status; pnpm build at the repository root bundles it, or pass --playground DIR`]);
      const res = await fetch(`${mock.http}/`, { headers: HTML });
      expect(await res.json()).toMatchObject({ ok: true });
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it("with one bundled: browsers get it at / by default, API clients the JSON status", async () => {
    mkdirSync(join(pkg, "playground", "assets"), { recursive: true });
    writeFileSync(join(pkg, "playground", "index.html"), BUNDLED);
    writeFileSync(join(pkg, "playground", "assets", "app.js"), "console.log(1);\n");
    const mock = await start([]);
    try {
      expect(mock.text).toContain(`  playground: ${mock.http}/ (open it in a browser)`);
      expect(mock.text).not.toContain("none bundled");
      expect(await (await fetch(`${mock.http}/`, { headers: HTML })).text()).toBe(BUNDLED);
      expect((await fetch(`${mock.http}/assets/app.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(await (await fetch(`${mock.http}/`)).json()).toMatchObject({ ok: true });
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it("--no-playground turns the bundled one off; --playground DIR serves another build instead", async () => {
    mkdirSync(join(pkg, "playground"), { recursive: true });
    writeFileSync(join(pkg, "playground", "index.html"), BUNDLED);
    const off = await start(["--no-playground"]);
    try {
      expect(off.text).not.toContain("playground");
      expect(await (await fetch(`${off.http}/`, { headers: HTML })).json()).toMatchObject({ ok: true });
      expect((await fetch(`${off.http}/index.html`)).status).toBe(404);
    } finally {
      expect(await off.stop()).toBe(0);
    }
    const other = await start(["--playground", join(base, "other")]);
    try {
      expect(await (await fetch(`${other.http}/`, { headers: HTML })).text()).toBe(OTHER);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });

  it("usage errors: both flags together, an empty folder name, a missing folder", () => {
    for (const [args, message] of [
      [["--no-playground", "--playground", join(base, "other")], /^speechwire-mock: --playground and --no-playground exclude each other\. Try --help\.$/u],
      [["--playground", ""], /^speechwire-mock: --playground takes a folder, got an empty string/u],
      [["--playground", join(base, "nope")], /playground folder .*nope does not exist/u],
    ] as const) {
      const r = spawnSync(process.execPath, [cli(), "--port", "0", "--tls-port", "off", ...args], { cwd: base, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });
});

describe("empty path segments", () => {
  it("name no file of the folder, for any path around them (// is not the site's root)", async () => {
    mkdirSync(join(pkg, "playground", "assets"), { recursive: true });
    writeFileSync(join(pkg, "playground", "index.html"), BUNDLED);
    writeFileSync(join(pkg, "playground", "assets", "app.js"), "console.log(1);\n");
    const root = join(pkg, "playground");
    expect(await resolveStaticPath(root, "/assets/app.js")).toEqual({ ok: true, file: join(root, "assets", "app.js") });
    expect(await resolveStaticPath(root, "/")).toEqual({ ok: true, file: join(root, "index.html") });
    const segment = fc.constantFrom("assets", "app.js", "index.html", "x", "");
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 3 }), fc.array(segment, { maxLength: 3 }), async (before, after) => {
        const path = `/${[...before, "", ...after].join("/")}`;
        fc.pre(path.split("/").slice(1, -1).includes(""));
        expect(await resolveStaticPath(root, path)).toEqual({ ok: false, status: 404, message: "no such file" });
      }),
      FC,
    );
  });

  it("GET // with the bundled playground is the mock's JSON 404, as without one", async () => {
    mkdirSync(join(pkg, "playground"), { recursive: true });
    writeFileSync(join(pkg, "playground", "index.html"), BUNDLED);
    const mock = await start([]);
    try {
      const { hostname, port } = new URL(mock.http);
      const res = await new Promise<{ status: number; body: string }>((done, fail) => {
        const req = request({ host: hostname, port, path: "//", method: "GET", headers: HTML }, (r) => {
          let body = "";
          r.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => done({ status: r.statusCode ?? 0, body }));
        });
        req.on("error", fail).end();
      });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ error_code: "not_found" });
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });
});
