/**
 * TLS material: the given certificate, or one self-signed certificate for loopback kept in a per-user
 * cache (`$SPEECHWIRE_CACHE_DIR`, else `$XDG_CACHE_HOME/speechwire`, else `~/.cache/speechwire`; files
 * `tls/cert.pem` and `tls/key.pem`), reused while it is valid for 7 more days and covers localhost,
 * 127.0.0.1 and ::1, so that the path to trust is the same across restarts. Mocks starting at once
 * (parallel test processes) share it: one of them writes it under a lock file, by temp file + rename.
 * When the cache cannot be written, a temporary folder is used and removed on close or exit.
 */
import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { rmSync } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { generate } from "selfsigned";

/** A certificate and key in PEM form, with the path of the certificate file (for clients to trust). */
export interface TlsMaterial {
  cert: string;
  key: string;
  certPath: string;
  /** Whether `certPath` is the per-user cache's (the same across restarts). */
  cached: boolean;
  /** Removes the files if they are a temporary copy (the cache could not be written); else nothing. */
  dispose(): void;
}

/** A cached certificate is replaced when it has less than this left. */
const MIN_REMAINING_MS = 7 * 24 * 3600 * 1000;
/** A lock file older than this was left by a process that died while writing: taken over. */
const STALE_LOCK_MS = 30_000;
/** How long a start waits for another process writing the certificate before using a temporary one. */
const LOCK_WAIT_MS = 15_000;

/** The per-user cache folder: `$SPEECHWIRE_CACHE_DIR`, else `$XDG_CACHE_HOME/speechwire`, else `~/.cache/speechwire`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.SPEECHWIRE_CACHE_DIR) return resolve(env.SPEECHWIRE_CACHE_DIR);
  // The XDG spec says a relative value is invalid and must be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, "speechwire");
  return join(home, ".cache", "speechwire");
}

/** Reads `--cert`/`--key`, or the cached self-signed certificate for localhost, 127.0.0.1 and ::1 (made when missing or stale). */
export async function tlsMaterial(options: { cert?: string; key?: string }): Promise<TlsMaterial> {
  if (options.cert && options.key) {
    return { cert: await readFile(options.cert, "utf8"), key: await readFile(options.key, "utf8"), certPath: options.cert, cached: false, dispose: () => undefined };
  }
  try {
    return { ...(await cachedCertificate(join(cacheDir(), "tls"))), cached: true, dispose: () => undefined };
  } catch {
    // Not writable (read-only home, a file in the way, another user's folder): a copy for this run only.
    return temporaryCertificate();
  }
}

/** The cache's certificate if usable, else a new one written there; throws if the cache cannot be used. */
async function cachedCertificate(dir: string): Promise<{ cert: string; key: string; certPath: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const lockPath = join(dir, "write.lock");
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const found = await readUsable(certPath, keyPath);
    if (found) return { ...found, certPath };
    if (await tryLock(lockPath)) {
      try {
        // Another process may have written it between our read and our lock.
        const again = await readUsable(certPath, keyPath);
        if (again) return { ...again, certPath };
        const pems = await selfSigned();
        // Key first: a reader between the two renames sees a pair that does not match, and waits.
        await writeAtomically(keyPath, pems.key);
        await writeAtomically(certPath, pems.cert);
        return { ...pems, certPath };
      } finally {
        await unlink(lockPath).catch(() => undefined);
      }
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockPath}`);
    await new Promise((done) => setTimeout(done, 25 + Math.random() * 50));
  }
}

/** The cached pair if it is ours and private, matches, covers the loopback names and is valid 7 more days. */
async function readUsable(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | undefined> {
  try {
    const [cert, key, keyStat] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8"), stat(keyPath)]);
    if ((keyStat.mode & 0o077) !== 0 || (process.getuid !== undefined && keyStat.uid !== process.getuid())) return undefined;
    const x509 = new X509Certificate(cert);
    const now = Date.now();
    if (Date.parse(x509.validFrom) > now || Date.parse(x509.validTo) - now < MIN_REMAINING_MS) return undefined;
    if (x509.checkHost("localhost") === undefined || x509.checkIP("127.0.0.1") === undefined || x509.checkIP("::1") === undefined) return undefined;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

/** Takes the lock file (true), or finds it held (false); a stale one is removed and retried by the caller. */
async function tryLock(lockPath: string): Promise<boolean> {
  try {
    await (await open(lockPath, "wx", 0o600)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await unlink(lockPath).catch(() => undefined);
    return false;
  }
}

/** Writes a file whole or not at all (readers never see half of it), mode 0600. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Temporary folders in use, removed at exit if `close()` did not remove them. */
const temporaryDirs = new Set<string>();
let exitHookInstalled = false;

/** A new certificate in a temporary folder, removed by `dispose()` or at exit. */
async function temporaryCertificate(): Promise<TlsMaterial> {
  const pems = await selfSigned();
  const dir = await mkdtemp(join(tmpdir(), "speechwire-tls-"));
  temporaryDirs.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const d of temporaryDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const certPath = join(dir, "cert.pem");
  await writeFile(certPath, pems.cert, { mode: 0o600 });
  await writeFile(join(dir, "key.pem"), pems.key, { mode: 0o600 });
  return {
    ...pems,
    certPath,
    cached: false,
    dispose: () => {
      temporaryDirs.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed EC certificate for localhost, 127.0.0.1 and ::1, valid 365 days. */
async function selfSigned(): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
