/** Debian's chromium, driven by playwright-core with the flags every browser test here uses. */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** The browser binary: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium` (playwright-core downloads none). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

/**
 * Headless and quiet: no GPU, no QUIC, no background traffic, and every host name but localhost
 * unresolvable, so a page can only ever reach loopback.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
];

/**
 * Launches chromium with `CHROMIUM_ARGS` plus `extraArgs`; a missing binary is a clear error that says
 * how to install it.
 *
 * @example
 * const browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. The browser tests need Debian's chromium: run scripts/ensure-browser.sh ` +
        "(apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH.",
    );
  }
  return chromium.launch({ executablePath: path, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
}
