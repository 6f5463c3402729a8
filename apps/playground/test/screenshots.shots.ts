/**
 * The README's screenshots (`docs/*.png`), taken in Debian's chromium against a real mock serving the
 * built playground: a turns session on `eager-resume`, an error (`error-mid-turn`), and a TTS context
 * mid-playback. Not part of `vitest run` (its name does not end in `.test.ts`): run it with
 * `pnpm --filter @speechwire/playground screenshots` when the UI changes, and commit the PNGs.
 * It checks what it shows, so a screenshot of a broken page fails instead of landing in the README.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "@speechwire/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMockServer, type MockServer } from "@speechwire/mock-server";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(APP_DIR, "dist");
const DOCS = join(APP_DIR, "docs");
const testid = (id: string) => `[data-testid="${id}"]`;

let mock: MockServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no build at ${DIST}: the screenshots script builds first`);
  mock = await startMockServer({ port: 0, host: "127.0.0.1", tlsPort: false, playgroundDir: DIST });
  browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
  await mkdir(DOCS, { recursive: true });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await mock?.close();
});

async function open(): Promise<Page> {
  // 1100 px wide at scale 1: readable, and a few tens of KB per PNG.
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  await page.goto(`${mock.urls.http}/`);
  await page.waitForSelector(`${testid("app")}[data-ready="true"]`, { timeout: 20_000 });
  return page;
}

it("a turns session with eager_end / resume", async () => {
  const page = await open();
  await page.selectOption(testid("scenario"), "eager-resume");
  await page.click(testid("stt-start"));
  await page.waitForSelector(`${testid("timeline-event")}[data-type="turn.end"]`, { timeout: 30_000 });
  await page.click(testid("stt-close"));
  await page.waitForSelector(`${testid("stt-status")}[data-state="closed"]`, { timeout: 30_000 });
  await page.click(`${testid("timeline-event")}[data-type="turn.eager_end"] .marker-dot`);
  await page.locator(testid("stt-view")).screenshot({ path: join(DOCS, "turns-eager-resume.png") });
  await page.context().close();
});

it("an error mid-turn", async () => {
  const page = await open();
  await page.selectOption(testid("scenario"), "error-mid-turn");
  await page.click(testid("stt-start"));
  await page.waitForSelector(`${testid("stt-status")}[data-state="error"]`, { timeout: 30_000 });
  await page.click(`${testid("timeline-event")}[data-type="error"] .marker-dot`);
  expect(await page.textContent(testid("timeline-payload"))).toContain("internal_error");
  await page.locator(testid("stt-view")).screenshot({ path: join(DOCS, "error-mid-turn.png") });
  await page.context().close();
});

it("a TTS context mid-playback", async () => {
  const page = await open();
  await page.selectOption(testid("endpoint"), "tts");
  await page.selectOption(testid("scenario"), "tts-basic");
  await page.fill(testid("tts-text"), "Your table for four is booked for seven tonight. Your confirmation code is A1B, and we will text you if anything changes.");
  await page.click(testid("tts-speak"));
  await page.fill(testid("tts-text"), "Anything else I can help with?");
  await page.click(testid("tts-speak"));
  const card = `${testid("tts-context")}[data-context-id="ctx-1"]`;
  await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.position || 0) > 2.2, card, { timeout: 30_000 });
  await page.locator(testid("tts-view")).screenshot({ path: join(DOCS, "tts-mid-playback.png") });
  await page.context().close();
});
