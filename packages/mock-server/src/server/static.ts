/**
 * Serving a static folder (the built playground) at `/`: files by extension with their content type,
 * `index.html` for `/`, and nothing outside the folder — a path with a `..` segment, raw or
 * percent-encoded, a NUL byte or a backslash is refused before the file system is asked.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Content types by file extension (the ones a Vite build emits, and a few more). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wav": "audio/wav",
  ".mp3": "audio/mpeg",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

/** Checks a folder to serve and returns its real path; throws when it is missing or has no index.html. */
export function staticRoot(dir: string): string {
  let root: string;
  try {
    root = realpathSync(resolve(dir));
  } catch {
    throw new Error(`playground folder ${dir} does not exist (build it first: pnpm --filter @speechwire/playground build)`);
  }
  if (!statSync(root).isDirectory()) throw new Error(`playground folder ${dir} is not a folder`);
  try {
    statSync(join(root, "index.html"));
  } catch {
    throw new Error(`playground folder ${dir} has no index.html`);
  }
  return root;
}

/**
 * Where the build copies the playground into this package (`<package>/playground`, by the
 * `bundle-playground` task; it ships in the tarball): the same path from `src/` and `dist/`.
 */
export const BUNDLED_PLAYGROUND_DIR = fileURLToPath(new URL("../../playground", import.meta.url));

/** The bundled playground's folder when this build has one (its index.html exists), else undefined. */
export function bundledPlaygroundDir(): string | undefined {
  return existsSync(join(BUNDLED_PLAYGROUND_DIR, "index.html")) ? BUNDLED_PLAYGROUND_DIR : undefined;
}

/** The outcome of mapping a request path onto the folder. */
export type StaticLookup = { ok: true; file: string } | { ok: false; status: 400 | 404; message: string };

/**
 * Maps the raw request target (as sent, before any URL normalization) onto a file under `root`.
 * @example resolveStaticPath("/srv/site", "/assets/app.js") // { ok: true, file: "/srv/site/assets/app.js" }
 */
export async function resolveStaticPath(root: string, rawTarget: string): Promise<StaticLookup> {
  const rawPath = rawTarget.split(/[?#]/, 1)[0] ?? "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, message: "malformed percent-encoding in the path" };
  }
  // Refuse outright rather than normalize: a request that tries to climb is never a playground asset.
  if (decoded.includes("\0") || decoded.includes("\\") || decoded.split("/").some((segment) => segment === "..")) {
    return { ok: false, status: 400, message: "path leaves the served folder" };
  }
  // An empty segment (`//`, `/assets//app.js`) names no file of the folder: `//` is not the site's root.
  if (decoded.split("/").slice(1, -1).includes("")) return { ok: false, status: 404, message: "no such file" };
  const wanted = resolve(root, `.${decoded.endsWith("/") ? `${decoded}index.html` : decoded}`);
  const inside = (path: string) => {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
  };
  if (!inside(wanted)) return { ok: false, status: 400, message: "path leaves the served folder" };
  let real: string;
  try {
    real = await realpath(wanted);
    if (!(await stat(real)).isFile()) return { ok: false, status: 404, message: "not a file" };
  } catch {
    return { ok: false, status: 404, message: "no such file" };
  }
  // A symbolic link inside the folder must not lead out of it either.
  if (!inside(real)) return { ok: false, status: 400, message: "path leaves the served folder" };
  return { ok: true, file: real };
}

/** Sends a file found by `resolveStaticPath` (HEAD: headers only). */
export async function sendStaticFile(req: IncomingMessage, res: ServerResponse, file: string, extraHeaders: Record<string, string>): Promise<void> {
  const body = await readFile(file);
  res.writeHead(200, {
    ...extraHeaders,
    "content-type": CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": body.byteLength,
    // Vite names built assets by content hash; the page itself must be revalidated.
    "cache-control": file.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Whether a `GET /` asks for the page (a browser: `Accept` names text/html) rather than the JSON status. */
export function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return /\btext\/html\b/i.test(accept);
}
