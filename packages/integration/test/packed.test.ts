/**
 * The published packages as a new user meets them: every publishable package packed with `pnpm pack`
 * (what `pnpm publish` and `changeset publish` upload), the tarballs installed with npm into an empty
 * folder (third-party dependencies from the configured registry, nothing from the workspace), then
 * used from there: the tarballs' contents and metadata, every `exports` entry imported in ESM, the
 * types resolved by tsc (node16 and bundler resolution), source maps resolved inside the packages,
 * every bin run through node_modules/.bin (`--help` and a short real run), and the mock serving its
 * bundled playground. Nothing is cached across runs: packs and the install folder are new each time.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportSpecifiers,
  mapFiles,
  npmInstall,
  pnpmPack,
  publishablePackages,
  REPO_ROOT,
  run,
  runOk,
  sourceMapProblems,
  startJsonLine,
  tarballEntries,
  tarballText,
  type LockEntry,
  type Manifest,
  type Packed,
} from "../src/index.js";

const EXPECTED = ["@speechwire/bench", "@speechwire/client", "@speechwire/conformance", "@speechwire/mock-server", "@speechwire/protocol"];
const REPOSITORY = "git+https://github.com/speechwire/speechwire.git";
// The toolchain the types are checked with: the workspace's own pins, fetched from the registry.
const TYPESCRIPT = "typescript@5.9.3";
const TYPES_NODE = "@types/node@20.19.43";

const work = mkdtempSync(join(tmpdir(), "speechwire-packed-"));
const project = join(work, "project");
let packed: Packed[] = [];
let lock: Record<string, LockEntry> = {};

const installed = (name: string) => join(project, "node_modules", ...name.split("/"));
const bin = (name: string) => join(project, "node_modules", ".bin", name);
const manifestOf = (name: string) => JSON.parse(readFileSync(join(installed(name), "package.json"), "utf8")) as Manifest;

beforeAll(() => {
  mkdirSync(project, { recursive: true });
  packed = publishablePackages().map((pkg) => pnpmPack(pkg, join(work, "tarballs")));
  lock = npmInstall(project, packed.map((p) => p.tarball), [TYPESCRIPT, TYPES_NODE]);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("the publishable packages", () => {
  it("are exactly the five libraries and tools (the playground, the examples, testing and integration stay private)", () => {
    expect(packed.map((p) => p.pkg.manifest.name).sort()).toEqual(EXPECTED);
  });

  it("each carry the root LICENSE (MIT) and complete metadata", () => {
    const license = readFileSync(join(REPO_ROOT, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License/);
    for (const { pkg, tarball } of packed) {
      expect(tarballText(tarball, "LICENSE"), pkg.relativeDir).toBe(license);
      const m = JSON.parse(tarballText(tarball, "package.json")) as Manifest;
      expect(m.license, m.name).toBe("MIT");
      expect(m.repository, m.name).toEqual({ type: "git", url: REPOSITORY, directory: pkg.relativeDir });
      expect(m.homepage, m.name).toBe(`https://github.com/speechwire/speechwire/tree/main/${pkg.relativeDir}#readme`);
      expect(m.bugs, m.name).toEqual({ url: "https://github.com/speechwire/speechwire/issues" });
      expect(m.engines, m.name).toEqual({ node: ">=20" });
      expect(m.keywords?.length ?? 0, m.name).toBeGreaterThanOrEqual(3);
    }
  });

  it("have no workspace: ranges left: pnpm pack pins each sibling to its exact version", () => {
    const versions = new Map(packed.map((p) => [p.pkg.manifest.name, p.pkg.manifest.version]));
    for (const { tarball } of packed) {
      const m = JSON.parse(tarballText(tarball, "package.json")) as Manifest;
      for (const deps of [m.dependencies, m.peerDependencies, m.optionalDependencies]) {
        for (const [name, range] of Object.entries(deps ?? {})) {
          expect(range, `${m.name} → ${name}`).not.toMatch(/^workspace:/);
          if (versions.has(name)) expect(range, `${m.name} → ${name}`).toBe(versions.get(name));
        }
      }
      expect(JSON.stringify(m), m.name).not.toContain("workspace:");
    }
  });

  it("ship exactly their files: dist, src (for the source maps), the runtime folders, no tests or build state", () => {
    for (const { pkg, tarball } of packed) {
      const entries = tarballEntries(tarball);
      const top = new Set(entries.map((e) => e.split("/")[0]));
      const allowed = new Set([...(pkg.manifest.files ?? []), "package.json", "LICENSE", "README.md", "CHANGELOG.md"]);
      expect([...top].filter((t) => !allowed.has(t as string)), pkg.relativeDir).toEqual([]);
      expect(entries.filter((e) => /(^|\/)(test|tests|__tests__|fixtures?|node_modules|\.turbo|\.test-results)\//.test(e)), pkg.relativeDir).toEqual([]);
      expect(entries.filter((e) => /\.(test|spec)\.[cm]?[jt]s$|\.tsbuildinfo$|\.tgz$/.test(e)), pkg.relativeDir).toEqual([]);
      // Every source file that compiles to dist is in src, and nothing else is there.
      const js = entries.filter((e) => e.startsWith("dist/") && e.endsWith(".js"));
      const ts = entries.filter((e) => e.startsWith("src/"));
      expect(js.length, pkg.relativeDir).toBeGreaterThan(0);
      expect(ts.map((e) => e.replace(/^src\//, "dist/").replace(/\.ts$/, ".js")).sort(), pkg.relativeDir).toEqual(js.sort());
      for (const target of Object.values(pkg.manifest.bin ?? {})) {
        expect(entries, pkg.relativeDir).toContain(target.replace(/^\.\//, ""));
        expect(tarballText(tarball, target.replace(/^\.\//, "")).startsWith("#!/usr/bin/env node\n"), target).toBe(true);
      }
    }
  });

  it("the mock's tarball holds the built playground", () => {
    const mock = packed.find((p) => p.pkg.manifest.name === "@speechwire/mock-server") as Packed;
    const entries = tarballEntries(mock.tarball);
    expect(entries).toContain("playground/index.html");
    const html = tarballText(mock.tarball, "playground/index.html");
    expect(html).toContain("<title>speechwire playground</title>");
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => `playground/${m[1]}`);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect(entries).toContain(asset);
  });
});

describe("installed with npm into an empty folder", () => {
  it("the @speechwire packages come from the tarballs, once each (none from the registry, none nested)", () => {
    const ours = Object.entries(lock).filter(([path]) => /(^|\/)node_modules\/@speechwire\//.test(path));
    expect(ours.map(([path]) => path).sort()).toEqual(EXPECTED.map((name) => `node_modules/${name}`));
    for (const [path, entry] of ours) {
      expect(entry.resolved, path).toMatch(/^file:.*\.tgz$/);
      expect(entry.link, path).toBeUndefined();
    }
  });

  it("imports every exports entry in ESM (modules with exports of their own, JSON files as JSON)", () => {
    for (const { pkg } of packed) {
      const { modules, json, wildcards } = exportSpecifiers(pkg.manifest);
      expect(modules.length, pkg.relativeDir).toBeGreaterThan(0);
      for (const spec of modules) {
        const r = run(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).length);`], { cwd: project });
        expect(r.status, `${spec}\n${r.stderr}`).toBe(0);
        expect(Number(r.stdout.trim()), spec).toBeGreaterThan(0);
      }
      // A wildcard entry (`./schemas/*`) with one real file of the folder it maps.
      const concrete = [
        ...json,
        ...wildcards.map((spec) => {
          const folder = spec.slice(pkg.manifest.name.length + 1, -2);
          const first = (readdirSync(join(installed(pkg.manifest.name), folder), { recursive: true }) as string[]).find((f) => f.endsWith(".json"));
          expect(first, spec).toBeDefined();
          return `${pkg.manifest.name}/${folder}/${first}`;
        }),
      ];
      for (const spec of concrete) {
        const r = run(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(spec)}, { with: { type: "json" } }); console.log(typeof m.default);`], { cwd: project });
        expect(r.status, `${spec}\n${r.stderr}`).toBe(0);
        expect(r.stdout.trim(), spec).toBe("object");
      }
    }
  });

  it("the client's browser entries load under the browser condition", () => {
    for (const spec of exportSpecifiers(manifestOf("@speechwire/client")).modules) {
      const r = run(process.execPath, ["--conditions=browser", "--input-type=module", "-e", `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).length);`], { cwd: project });
      expect(r.status, `${spec}\n${r.stderr}`).toBe(0);
      expect(Number(r.stdout.trim()), spec).toBeGreaterThan(0);
    }
  });

  it("types resolve for every entry with tsc, in node16 (no DOM library) and in bundler resolution (library types checked too)", () => {
    const specs = packed.flatMap(({ pkg }) => exportSpecifiers(pkg.manifest).modules);
    // `typeof m` is `any` when tsc falls back to an untyped module; each must be a real module type.
    const lines = [
      "type IsAny<T> = 0 extends 1 & T ? true : false;",
      ...specs.flatMap((spec, i) => [`import * as m${i} from ${JSON.stringify(spec)};`, `export const typed${i}: IsAny<typeof m${i}> = false;`]),
    ];
    writeFileSync(join(project, "check.ts"), `${lines.join("\n")}\n`);
    const base = { strict: true, noEmit: true, skipLibCheck: false, types: ["node"], target: "ES2022" };
    // A Node project (no DOM library) and a browser app's bundler setup.
    const configs = {
      node16: { ...base, lib: ["ES2022"], module: "node16", moduleResolution: "node16" },
      bundler: { ...base, lib: ["ES2023", "DOM", "DOM.Iterable"], module: "esnext", moduleResolution: "bundler" },
    };
    for (const [name, compilerOptions] of Object.entries(configs)) {
      writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: ["check.ts"] }, null, 2));
      const r = run(bin("tsc"), ["-p", `tsconfig.${name}.json`], { cwd: project });
      expect(r.status, `${name}:\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it("every source map (JavaScript and declarations) resolves to a file inside its package", () => {
    for (const name of EXPECTED) {
      const maps = mapFiles(join(installed(name), "dist"));
      expect(maps.length, name).toBeGreaterThan(0);
      expect(maps.some((m) => m.endsWith(".d.ts.map")), name).toBe(true);
      expect(maps.flatMap((map) => sourceMapProblems(map, installed(name))), name).toEqual([]);
    }
    // The bundled playground's map carries its sources (they are not in the tarball otherwise).
    const playgroundMaps = mapFiles(join(installed("@speechwire/mock-server"), "playground"));
    expect(playgroundMaps.length).toBeGreaterThan(0);
    expect(playgroundMaps.flatMap((map) => sourceMapProblems(map, join(installed("@speechwire/mock-server"), "playground")))).toEqual([]);
  });

  it("a source map points at the very source text: dist/index.js.map of the protocol maps into src/index.ts", () => {
    const dir = installed("@speechwire/protocol");
    const map = JSON.parse(readFileSync(join(dir, "dist", "index.js.map"), "utf8")) as { sources: string[] };
    expect(map.sources).toEqual(["../src/index.ts"]);
    expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain("export");
  });
});

describe("the bins through node_modules/.bin", () => {
  it("each bin of each package is linked and answers --help with exit 0", () => {
    const bins = packed.flatMap(({ pkg }) => Object.keys(pkg.manifest.bin ?? {}));
    expect(bins.sort()).toEqual(["speechwire-bench", "speechwire-conformance", "speechwire-mock"]);
    for (const name of bins) {
      expect(existsSync(bin(name)), name).toBe(true);
      const r = run(bin(name), ["--help"], { cwd: project, timeout: 120_000 });
      expect(r.status, `${name}\n${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^${name} — `));
    }
  });

  it("npx @speechwire/mock-server runs the installed mock's bin", () => {
    const r = run("npx", ["--no", "--", "@speechwire/mock-server", "--help"], { cwd: project, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^speechwire-mock — /);
    expect(r.stdout).toContain("--no-playground");
  });

  it("speechwire-conformance --list prints the catalogue of checks", () => {
    const r = runOk(bin("speechwire-conformance"), ["--list", "--json"], { cwd: project, timeout: 120_000 });
    const list = JSON.parse(r.stdout) as unknown;
    const checks = Array.isArray(list) ? list : ((list as { checks?: unknown[] }).checks ?? []);
    expect(checks.length).toBeGreaterThanOrEqual(50);
    const text = runOk(bin("speechwire-conformance"), ["--list"], { cwd: project, timeout: 120_000 }).stdout;
    expect(text.split("\n").filter((line) => line.trim() !== "").length).toBeGreaterThanOrEqual(checks.length);
  });

  it("speechwire-bench runs a 2-session stt-v1 run against its embedded mock and writes its results", () => {
    const out = join(work, "bench-out");
    const r = runOk(
      bin("speechwire-bench"),
      ["stt-v1", "--sessions", "2", "--concurrency", "1", "--warmup", "0", "--rounds", "2", "--overhead-runs", "0", "--quiet", "--out", out],
      { cwd: project, timeout: 300_000 },
    );
    expect(r.stdout).toContain("stt-v1");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      format: string;
      environment: { target: string; sessions: number };
      runs: { endpoint: string; client: string; sessions: { ok: number; failed: number }; metrics: { id: string; summary: { n: number } }[] }[];
    };
    expect(results.format).toBe("speechwire-bench/results@1");
    expect(results.environment.target).toMatch(/^embedded mock \(@speechwire\/mock-server/);
    expect(results.runs.map((run) => [run.endpoint, run.client, run.sessions.ok, run.sessions.failed])).toEqual([["stt-v1", "speechwire", 2, 0]]);
    const measured = results.runs[0]?.metrics.filter((m) => m.id.startsWith("stt-v1.") && m.summary.n >= 2) ?? [];
    expect(measured.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(out, "results.md"))).toBe(true);
  });
});

describe("the installed mock (speechwire-mock) and its playground", () => {
  const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
  const start = (args: string[]) => startJsonLine<{ http: string }>(bin("speechwire-mock"), ["--port", "0", "--tls-port", "off", "--json", ...args], project);

  it("serves the bundled playground to a browser at / by default, and the JSON status to API clients", async () => {
    const mock = await start([]);
    try {
      const page = await fetch(`${mock.first.http}/`, { headers: HTML });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toBe(readFileSync(join(installed("@speechwire/mock-server"), "playground", "index.html"), "utf8"));
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
      const asset = await fetch(`${mock.first.http}/${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
      const api = await fetch(`${mock.first.http}/`);
      expect(api.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await api.json()).toMatchObject({ ok: true });
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it("the human announcement names the playground's URL", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(bin("speechwire-mock"), ["--port", "0", "--tls-port", "off"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    let text = "";
    child.stdout.setEncoding("utf8");
    await new Promise<void>((done) => child.stdout.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("select one per connection")) done();
    }));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(text).toMatch(/playground: http:\/\/127\.0\.0\.1:\d+\/ \(open it in a browser\)/);
  });

  it("--no-playground answers a browser's GET / with the JSON status", async () => {
    const mock = await start(["--no-playground"]);
    try {
      const res = await fetch(`${mock.first.http}/`, { headers: HTML });
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ ok: true });
      expect((await fetch(`${mock.first.http}/index.html`)).status).toBe(404);
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it("--playground DIR serves another build", async () => {
    const site = join(work, "other-site");
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, "index.html"), "<!doctype html><title>another build</title>");
    const mock = await start(["--playground", site]);
    try {
      expect(await (await fetch(`${mock.first.http}/`, { headers: HTML })).text()).toBe("<!doctype html><title>another build</title>");
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });

  it("answers GET / over a raw HTTP/1.1 request without Accept (an API client) with the JSON status", async () => {
    const mock = await start([]);
    try {
      const { hostname, port } = new URL(mock.first.http);
      const body = await new Promise<string>((done, fail) => {
        const req = request({ host: hostname, port, path: "/", method: "GET" }, (res) => {
          let data = "";
          res.setEncoding("utf8").on("data", (c: string) => (data += c)).on("end", () => done(data));
        });
        req.on("error", fail).end();
      });
      expect(JSON.parse(body)).toMatchObject({ ok: true });
    } finally {
      expect(await mock.stop()).toBe(0);
    }
  });
});
