/**
 * The static folder served at `/` (`playgroundDir`, CLI `--playground`): the page for browsers, the
 * JSON status for API clients, files with their content types, nothing outside the folder (raw and
 * percent-encoded `..`, NUL, backslashes, symbolic links), and the admin and Cartesia routes untouched.
 * Also: the browser-safe `./scenario` entry imports no Node built-in.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockServer, type MockServer } from "../src/index.js";
import { resolveStaticPath } from "../src/server/static.js";
import { startTestServer } from "./helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "top-secret-outside-the-folder";
const INDEX = "<!doctype html><title>playground</title><script type=module src=/assets/app-1a2b.js></script>";

/** A temporary site: index.html, assets, a file named like an API route, and a secret beside it. */
function makeSite(): { base: string; site: string } {
  const base = mkdtempSync(join(tmpdir(), "speechwire-static-"));
  const site = join(base, "dist");
  mkdirSync(join(site, "assets"), { recursive: true });
  mkdirSync(join(site, "tts"), { recursive: true });
  writeFileSync(join(site, "index.html"), INDEX);
  writeFileSync(join(site, "assets", "app-1a2b.js"), "console.log('app');\n");
  writeFileSync(join(site, "assets", "app-1a2b.css"), "body{margin:0}\n");
  writeFileSync(join(site, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(join(site, "tts", "bytes"), "a file that must never shadow POST /tts/bytes");
  writeFileSync(join(base, "secret.txt"), SECRET);
  symlinkSync(join(base, "secret.txt"), join(site, "link.txt"));
  return { base, site };
}

/** A request with the target sent exactly as written (fetch would normalize `..` away first). */
function raw(url: string, target: string, method = "GET", headers: Record<string, string> = {}): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, path: target, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => done({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.on("error", fail);
    req.end();
  });
}

const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

let site: { base: string; site: string };
let mock: MockServer;
let plain: MockServer;

beforeAll(async () => {
  site = makeSite();
  mock = await startTestServer({ playgroundDir: site.site });
  plain = await startTestServer();
});
afterAll(async () => {
  await mock.close();
  await plain.close();
});

describe("the playground folder at /", () => {
  it("gives a browser (Accept: text/html) index.html, and API clients the JSON status", async () => {
    const page = await fetch(`${mock.urls.http}/`, { headers: HTML });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toBe(INDEX);

    const apiHeaders: Record<string, string>[] = [{}, { accept: "application/json" }, { accept: "*/*" }];
    for (const headers of apiHeaders) {
      const status = await fetch(`${mock.urls.http}/`, { headers });
      expect(status.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await status.json()).toMatchObject({ ok: true, version: "2026-08-14" });
    }
  });

  it("serves files with their content types, HEAD without a body, and 404 for a missing file", async () => {
    const js = await fetch(`${mock.urls.http}/assets/app-1a2b.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await js.text()).toBe("console.log('app');\n");
    expect((await fetch(`${mock.urls.http}/assets/app-1a2b.css`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await fetch(`${mock.urls.http}/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");
    const head = await raw(mock.urls.http, "/assets/app-1a2b.js", "HEAD");
    expect(head).toMatchObject({ status: 200, type: "text/javascript; charset=utf-8", body: "" });
    const missing = await fetch(`${mock.urls.http}/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ title: "Not found" });
  });

  it("refuses every path that leaves the folder, raw or percent-encoded, and symbolic links out of it", async () => {
    const attempts = [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..%5csecret.txt",
      "/assets%5c..%5c..%5csecret.txt",
      "/..",
      "/../",
    ];
    for (const target of attempts) {
      for (const headers of [{}, HTML] as Record<string, string>[]) {
        const res = await raw(mock.urls.http, target, "GET", headers);
        expect({ target, status: res.status }).toEqual({ target, status: 400 });
        expect(res.body).not.toContain(SECRET);
      }
    }
    for (const target of ["/index.html%00.js", "/%E0%A4%A", "/link.txt"]) {
      const res = await raw(mock.urls.http, target);
      expect(res.status, target).toBe(400);
      expect(res.body).not.toContain(SECRET);
    }
    // The resolver itself, with a root given directly.
    expect(await resolveStaticPath(site.site, "/%2e%2e/secret.txt")).toMatchObject({ ok: false, status: 400 });
    expect(await resolveStaticPath(site.site, "/assets/app-1a2b.js?v=1")).toEqual({ ok: true, file: join(site.site, "assets", "app-1a2b.js") });
    expect(await resolveStaticPath(site.site, "/")).toEqual({ ok: true, file: join(site.site, "index.html") });
  });

  it("leaves the admin API, the Cartesia routes and scenario prefixes as they were", async () => {
    const health = await fetch(`${mock.urls.http}/_speechwire/health`, { headers: HTML });
    expect(await health.json()).toMatchObject({ ok: true, defaultScenario: "default" });
    const scenarios = (await (await fetch(`${mock.urls.http}/_speechwire/scenarios`)).json()) as { name: string }[];
    expect(scenarios.map((s) => s.name)).toContain("eager-resume");
    // A file at dist/tts/bytes never shadows the route: GET is still 405, POST still synthesizes.
    const get = await fetch(`${mock.urls.http}/tts/bytes`, { headers: HTML });
    expect(get.status).toBe(405);
    const post = await fetch(`${mock.urls.http}/tts/bytes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model_id: "sonic-3",
        transcript: "Hi.",
        voice: { mode: "id", id: "6b7f9d52-3c1a-4e8f-a0b2-9d4c5e6f7a81" },
        output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 16000 },
      }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("content-type")).toBe("audio/wav");
    // Under a scenario prefix, `/` stays the API's status.
    const prefixed = await fetch(`${mock.urls.http}/s/eager-resume/`, { headers: HTML });
    expect(await prefixed.json()).toMatchObject({ ok: true });
  });

  it("without playgroundDir, / is the JSON status even for browsers, and files are 404", async () => {
    const res = await fetch(`${plain.urls.http}/`, { headers: HTML });
    expect(await res.json()).toMatchObject({ ok: true });
    expect((await fetch(`${plain.urls.http}/assets/app-1a2b.js`)).status).toBe(404);
  });

  it("refuses to start with a folder that is missing or has no index.html", async () => {
    await expect(startMockServer({ port: 0, tlsPort: false, playgroundDir: join(site.base, "nope") })).rejects.toThrow(/does not exist/);
    await expect(startMockServer({ port: 0, tlsPort: false, playgroundDir: join(site.site, "assets") })).rejects.toThrow(/no index\.html/);
  });

  it("speechwire-mock --playground DIR serves the folder", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(pkg, "src/cli.ts"), "--port", "0", "--tls-port", "off", "--json", "--playground", site.site], {
      cwd: pkg,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    try {
      const line = await new Promise<string>((done) => createInterface({ input: child.stdout }).once("line", done));
      const { http } = JSON.parse(line) as { http: string };
      expect(await (await fetch(`${http}/`, { headers: HTML })).text()).toBe(INDEX);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("@speechwire/mock-server/scenario", () => {
  it("is declared in the exports map and imports nothing but zod and yaml (no Node built-in), transitively", () => {
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { exports: Record<string, { import: string }> };
    expect(manifest.exports["./scenario"]?.import).toBe("./dist/scenario/index.js");
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1] as string;
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        else bare.add(spec);
      }
    };
    visit(join(pkg, "src", "scenario", "index.ts"));
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect([...bare].sort()).toEqual(["yaml", "zod"]);
  });
});
