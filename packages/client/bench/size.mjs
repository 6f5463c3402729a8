#!/usr/bin/env node
/**
 * Browser bundle size: @speechwire/client next to @cartesia/cartesia-js 4.2.0, both built the same
 * way with esbuild (bundle, platform browser, format esm, minify, default target), then gzipped
 * (zlib level 9) and brotli-compressed (quality 11).
 *
 * Entries:
 * - @speechwire/client: src/browser.ts, what dist/browser.js is compiled from: the file its
 *   package.json resolves for a browser bundler (`exports["."].browser`; built here from source so the
 *   figure is never stale). The Node entry (src/index.ts: the same surface plus the `ws` wiring and the
 *   lazy loaders) is printed below the table for reference.
 * - @cartesia/cartesia-js: the entry its package.json resolves for a browser bundler. It has no
 *   `browser` field and no `browser` condition: `exports["."]` has `require` and `default`, so a
 *   browser ESM bundle gets `default`, ./index.mjs.
 *
 * Two builds of each:
 * - "whole entry": `export * from <entry>`: everything the package exports, nothing tree-shaken away.
 * - "main export": only the client constructor a browser app starts from (`createClient` /
 *   `Cartesia`), so esbuild drops what it can.
 *
 * `ws` is marked external for both. Our client never imports it statically (Node loads it lazily
 * by a specifier built at run time), so that changes nothing for us; cartesia-js's ESM files call
 * `require('ws')` inside try/catch, which esbuild would otherwise resolve to ws's ~0.2 KB browser stub
 * (ws/browser.js, which throws). esbuild also leaves cartesia-js's `require('stream')` (inside
 * try/catch in its backcompat wrappers) as it is. Every import left external is printed.
 *
 * What our bundle holds: the whole client (STT v1 and turns with reconnect/replay, TTS WebSocket
 * contexts, bytes, SSE, batch STT, access tokens) and the part of @speechwire/protocol it reads with,
 * `@speechwire/protocol/reader` (zod-free). Not in it: zod and the grammar checkers, which `debug`
 * loads only when asked (`debug: true` imports @speechwire/protocol at run time in Node; a browser app
 * passes `createSessionLinter` and then carries them itself); and `ws`, which is never bundled.
 *
 * Per file (our whole entry): the minified bytes esbuild's metafile attributes to each input, and each
 * file's gzip contribution measured by leaving it out: the same build with a marker statement around
 * every module (removed again before compressing; the build without markers must come out
 * byte-identical, else the column is skipped), then gzip of the output minus gzip of the output
 * without that module's text. Gzip removes repetition across files, so these sum to more than the
 * total: each says what deleting that file's unique code would save.
 *
 * Tiny apps (bench/apps.mjs): what a browser app pays for what it imports. A turns-only app and a
 * turns + TTS WebSocket app, written the same way for both libraries (same calls, each library's own
 * API), bundled with the same settings. Ours imports the subpath entries (`@speechwire/client/turns`,
 * `/tts`), resolved as a browser bundler resolves them: through our package.json `exports`, `browser`
 * condition, then from the source that dist file is compiled from (never stale). cartesia-js gets each
 * way its package lets an app reach the same classes (the root `Cartesia`; its `./client` and
 * `./resources/*` subpaths with the socket classes constructed directly), and the ratio is taken against
 * the smallest. Not counted for cartesia-js: handing its socket classes a hand-built object in place of
 * a `Cartesia` client (an internal contract, not something its API offers).
 *
 * Goals (issue 19; gzip): a turns-only app ≤ 0.35× and a turns + TTS WebSocket app ≤ 0.45× of
 * cartesia-js's smallest bundle doing the same; the whole client (whole entry) ≤ 0.65× of cartesia-js's
 * whole entry. Every figure here is deterministic for a given lockfile (no timing involved).
 *
 * Usage: node bench/size.mjs [--json]   (needs @speechwire/protocol built: its dist is what is bundled)
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build, version as esbuildVersion } from "esbuild";
import { APPS } from "./apps.mjs";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(PACKAGE_DIR, "package.json"));
const json = process.argv.includes("--json");

/** A package's folder (its package.json may not be exported): up from its resolved main file. */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json")) || JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = up;
  }
  return dir;
}
const cartesiaDir = packageDir("@cartesia/cartesia-js");
const cartesiaPkgPath = join(cartesiaDir, "package.json");
const cartesiaPkg = JSON.parse(readFileSync(cartesiaPkgPath, "utf8"));
const protocolDist = join(PACKAGE_DIR, "node_modules", "@speechwire", "protocol", "dist", "index.js");
if (!existsSync(protocolDist)) {
  console.error("@speechwire/protocol is not built: run `pnpm --filter @speechwire/protocol build` first");
  process.exit(1);
}

/** The file a browser ESM bundler picks for the package root, from `browser`/`exports`. */
function browserEntry(pkg, dir) {
  if (typeof pkg.browser === "string") return { file: join(dir, pkg.browser), how: `"browser": "${pkg.browser}"` };
  const root = pkg.exports?.["."] ?? pkg.exports;
  for (const condition of ["browser", "import", "module", "default"]) {
    const target = root?.[condition];
    const file = typeof target === "string" ? target : target?.default;
    if (typeof file === "string") return { file: join(dir, file), how: `exports["."].${condition} = "${file}"` };
  }
  return { file: join(dir, pkg.module ?? pkg.main ?? "index.js"), how: pkg.module ? `"module"` : `"main"` };
}

const ours = { name: "@speechwire/client", file: join(PACKAGE_DIR, "src", "browser.ts"), how: 'src/browser.ts (exports["."].browser = "./dist/browser.js")', main: "createClient" };
const oursNode = { ...ours, file: join(PACKAGE_DIR, "src", "index.ts"), how: "src/index.ts" };
const theirs = { name: `@cartesia/cartesia-js ${cartesiaPkg.version}`, ...browserEntry(cartesiaPkg, cartesiaDir), main: "default" };

/** The one build both libraries get (plus `stdin`, `metafile`, `plugins` per use). */
const BROWSER_BUILD = { bundle: true, platform: "browser", format: "esm", minify: true, write: false, external: ["ws"], logLevel: "error" };

async function bundle(lib, mode) {
  const spec = JSON.stringify(lib.file);
  const contents = mode === "whole" ? `export * from ${spec};` : lib.main === "default" ? `export { default } from ${spec};` : `export { ${lib.main} } from ${spec};`;
  const result = await build({
    ...BROWSER_BUILD,
    stdin: { contents, resolveDir: PACKAGE_DIR, sourcefile: `${mode}-entry.js`, loader: "js" },
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const externals = new Set();
  for (const [file, info] of Object.entries(result.metafile.inputs)) {
    for (const imp of info.imports) if (imp.external) externals.add(`${imp.path} (from ${relative(PACKAGE_DIR, file).replace(/^.*node_modules\//, "")})`);
  }
  return {
    bytes: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    externals: [...externals],
    metafile: result.metafile,
  };
}

/**
 * Resolves `@speechwire/client` and its subpaths as a browser bundler does, through our package.json
 * `exports` (the `browser` condition), then maps the dist file to the source it is compiled from
 * (`./dist/entries/turns.browser.js` → `src/entries/turns.browser.ts`), so the figure is never stale.
 */
const ourExports = {
  name: "our-exports",
  setup(b) {
    b.onResolve({ filter: /^@speechwire\/client(\/|$)/ }, (args) => {
      const ownPkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"));
      const subpath = `.${args.path.slice("@speechwire/client".length)}`;
      const target = ownPkg.exports[subpath]?.browser;
      if (typeof target !== "string") return { errors: [{ text: `no browser condition for ${args.path} in package.json exports` }] };
      return { path: join(PACKAGE_DIR, target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")) };
    });
  },
};

/** Bundles one tiny app (bench/apps.mjs) with the same settings as everything else. */
async function bundleApp(contents) {
  const result = await build({ ...BROWSER_BUILD, stdin: { contents, resolveDir: PACKAGE_DIR, sourcefile: "app.js", loader: "js" }, metafile: true, plugins: [ourExports] });
  const code = result.outputFiles[0].contents;
  return {
    bytes: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Where a bundle's bytes come from, grouped. */
function breakdown(metafile) {
  const output = Object.values(metafile.outputs)[0];
  const groups = new Map();
  for (const [file, info] of Object.entries(output.inputs)) {
    const group = file.includes("/zod/v4/locales/")
      ? "zod: locales (error messages in ~50 languages)"
      : file.includes("/zod/")
        ? "zod: everything else"
        : file.includes("protocol/dist/")
          ? `@speechwire/protocol: ${file.split("protocol/dist/")[1].split("/")[0].replace(/\.js$/, "")}`
          : file.startsWith("src/")
            ? "@speechwire/client: src"
            : file;
    groups.set(group, (groups.get(group) ?? 0) + info.bytesInOutput);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

/** One name for a bundled file, whatever the path form (metafile paths are relative to the cwd). */
const fileKey = (path) => (path.includes("protocol/dist/") ? `protocol/dist/${path.split("protocol/dist/")[1]}` : path.replace(/^.*?(?:client\/)?src\//, "src/"));

/** Each input file's gzip contribution to the whole-entry bundle, by leaving it out (see the header). */
async function gzipByFile(lib, expected) {
  const marker = /console\.log\("@@[SE] [^"]*"\)[;,]?/g;
  const mark = {
    name: "mark-modules",
    setup(b) {
      b.onLoad({ filter: /\.(ts|js)$/ }, (args) => {
        if (args.path.includes("cartesia-js")) return undefined;
        const file = fileKey(args.path);
        const src = readFileSync(args.path, "utf8");
        return { contents: `console.log("@@S ${file}");\n${src}\nconsole.log("@@E ${file}");`, loader: args.path.endsWith(".ts") ? "ts" : "js" };
      });
    },
  };
  const result = await build({
    ...BROWSER_BUILD,
    stdin: { contents: `export * from ${JSON.stringify(lib.file)};`, resolveDir: PACKAGE_DIR, sourcefile: "whole-entry.js", loader: "js" },
    plugins: [mark],
  });
  const code = result.outputFiles[0].text;
  const clean = code.replace(marker, "");
  if (Buffer.byteLength(clean) !== expected) return undefined;
  const total = gzipSync(clean, { level: 9 }).byteLength;
  const out = new Map();
  for (const m of code.matchAll(/console\.log\("@@S ([^"]*)"\)/g)) {
    const end = code.indexOf(`console.log("@@E ${m[1]}")`);
    if (end < 0) continue;
    const without = (code.slice(0, m.index) + code.slice(end)).replace(marker, "");
    out.set(m[1], total - gzipSync(without, { level: 9 }).byteLength);
  }
  return out;
}

const rows = [];
for (const mode of ["whole", "main"]) {
  const a = await bundle(ours, mode);
  const b = await bundle(theirs, mode);
  rows.push({ mode, ours: a, theirs: b });
}

const fmt = (n) => n.toLocaleString("en-US");
const ratio = (x, y) => `${(x / y).toFixed(2)}×`;
const ratio3 = (x, y) => `${(x / y).toFixed(3)}×`;
if (json) {
  const apps = [];
  for (const app of APPS) {
    const sizes = async (variants) => {
      const out = {};
      for (const [how, contents] of Object.entries(variants)) {
        const { bytes, gzip, brotli } = await bundleApp(contents);
        out[how] = { bytes, gzip, brotli };
      }
      return out;
    };
    apps.push({ app: app.name, goal: app.goal, ours: await sizes(app.ours), cartesia: await sizes(app.cartesia) });
  }
  console.log(
    JSON.stringify({
      apps,
      entries: rows.map((r) => ({
        mode: r.mode,
        ours: { bytes: r.ours.bytes, gzip: r.ours.gzip, brotli: r.ours.brotli },
        cartesia: { bytes: r.theirs.bytes, gzip: r.theirs.gzip, brotli: r.theirs.brotli },
        ratio: { bytes: r.ours.bytes / r.theirs.bytes, gzip: r.ours.gzip / r.theirs.gzip, brotli: r.ours.brotli / r.theirs.brotli },
      })),
    }),
  );
  process.exit(0);
}

console.log(`Browser bundle size (esbuild ${esbuildVersion}: bundle, platform browser, format esm, minify; ws external for both; Node ${process.version})`);
console.log(`  ours:   ${ours.name} — ${ours.how}`);
console.log(`  theirs: ${theirs.name} — ${relative(PACKAGE_DIR, theirs.file).replace(/^.*node_modules\//, "")} (${theirs.how}; no "browser" field)`);
console.log("");
const header = ["build", "library", "minified B", "gzip B", "brotli B"];
const table = [];
for (const r of rows) {
  const label = r.mode === "whole" ? "whole entry (export *)" : `main export only`;
  table.push([label, `${ours.name}${r.mode === "main" ? " (createClient)" : ""}`, fmt(r.ours.bytes), fmt(r.ours.gzip), fmt(r.ours.brotli)]);
  table.push(["", `cartesia-js${r.mode === "main" ? " (Cartesia)" : ""}`, fmt(r.theirs.bytes), fmt(r.theirs.gzip), fmt(r.theirs.brotli)]);
  table.push(["", "ratio ours / cartesia-js", ratio(r.ours.bytes, r.theirs.bytes), ratio(r.ours.gzip, r.theirs.gzip), ratio(r.ours.brotli, r.theirs.brotli)]);
}
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const row of table) console.log(line(row));

const whole = rows[0];
const nodeEntry = await bundle(oursNode, "whole");
console.log("");
console.log(`for reference, our Node entry (${oursNode.how}) bundled the same way: ${fmt(nodeEntry.bytes)} B minified, ${fmt(nodeEntry.gzip)} B gzip (${ratio(nodeEntry.gzip, whole.theirs.gzip)})`);

// What an app pays for what it imports: the tiny apps of bench/apps.mjs, each side's bundle built the same way.
const appRows = [];
for (const app of APPS) {
  const ourBuilds = [];
  for (const [how, contents] of Object.entries(app.ours)) ourBuilds.push({ how, ...(await bundleApp(contents)) });
  const theirBuilds = [];
  for (const [how, contents] of Object.entries(app.cartesia)) theirBuilds.push({ how, ...(await bundleApp(contents)) });
  const smallest = theirBuilds.reduce((a, b) => (b.gzip < a.gzip ? b : a));
  appRows.push({ app, ours: ourBuilds, theirs: theirBuilds, smallest });
}
console.log("");
console.log("tiny apps (bench/apps.mjs: the same calls on each side; same build; ours resolved through our package.json `exports`, browser condition, from src):");
const appHeader = ["app", "import", "minified B", "gzip B", "brotli B", "gzip / cartesia-js smallest"];
const appTable = [];
for (const r of appRows) {
  for (const b of r.ours) appTable.push([r.app.name, `ours: ${b.how}`, fmt(b.bytes), fmt(b.gzip), fmt(b.brotli), ratio(b.gzip, r.smallest.gzip)]);
  for (const b of r.theirs) appTable.push(["", `cartesia-js: ${b.how}${b === r.smallest ? " (smallest)" : ""}`, fmt(b.bytes), fmt(b.gzip), fmt(b.brotli), b === r.smallest ? "1" : ratio(b.gzip, r.smallest.gzip)]);
}
const appWidths = appHeader.map((h, i) => Math.max(h.length, ...appTable.map((row) => row[i].length)));
const appLine = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(appWidths[i]) : c.padStart(appWidths[i]))).join(" | ")} |`;
console.log(appLine(appHeader));
console.log(`|${appWidths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const row of appTable) console.log(appLine(row));

console.log("");
console.log("goals (gzip):");
for (const r of appRows) {
  const value = r.ours[0].gzip / r.smallest.gzip;
  console.log(`  ${r.app.name} (${r.ours[0].how}) ≤ ${r.app.goal}× of cartesia-js's smallest: ${fmt(r.ours[0].gzip)} / ${fmt(r.smallest.gzip)} B = ${ratio3(r.ours[0].gzip, r.smallest.gzip)} — ${value <= r.app.goal ? "met" : "NOT met"}`);
}
const wholeGoal = 0.65;
console.log(`  whole client (whole entry) ≤ ${wholeGoal}× of cartesia-js's whole entry: ${fmt(whole.ours.gzip)} / ${fmt(whole.theirs.gzip)} B = ${ratio3(whole.ours.gzip, whole.theirs.gzip)} — ${whole.ours.gzip / whole.theirs.gzip <= wholeGoal ? "met" : "NOT met"}`);
console.log("");
console.log("where our minified bytes go (whole entry):");
for (const [group, bytes] of breakdown(whole.ours.metafile)) if (bytes > 0) console.log(`  ${fmt(bytes).padStart(9)}  ${group}`);
const gz = await gzipByFile(ours, whole.ours.bytes);
console.log("");
if (!gz) console.log("per-file gzip contributions skipped: the marked build did not match the measured one");
else {
  const output = Object.values(whole.ours.metafile.outputs)[0];
  const minified = new Map(Object.entries(output.inputs).map(([file, info]) => [fileKey(file), info.bytesInOutput]));
  console.log("per file (whole entry): minified B, and gzip B saved by leaving the file out");
  for (const [file, bytes] of [...gz].sort((a, b) => b[1] - a[1])) if (bytes > 0) console.log(`  ${fmt(minified.get(file) ?? 0).padStart(7)}  ${fmt(bytes).padStart(6)}  ${file}`);
}
for (const r of rows) {
  for (const [who, res] of [["ours", r.ours], ["cartesia-js", r.theirs]]) {
    if (res.externals.length) console.log(`left external in ${who} (${r.mode}): ${res.externals.join(", ")}`);
  }
}
