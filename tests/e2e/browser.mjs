// Shared set-up for the end-to-end tests: the static server on a free port, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";
import { serve } from "../../tools/serve.mjs";

export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Quiet on a closed network, and runnable as root (TOOLCHAIN.md). Playwright gives each launch
// a fresh, empty profile of its own.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Starts the server and the browser; returns { base, newPage, close }. */
export async function start() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await serve({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  /**
   * A page in a context of its own (options: viewport, colorScheme, ...), which records
   * console errors and uncaught exceptions into `page.problems`.
   */
  async function newPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
    const page = await context.newPage();
    page.problems = [];
    page.on("console", (m) => m.type() === "error" && page.problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
    return page;
  }
  async function close() {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
  return { base, newPage, close };
}

/** Opens a page and waits until the playground can step. */
export async function ready(page, url) {
  await page.goto(url);
  await page.waitForSelector("#step:not([disabled])");
}

/** A `#v1=` link built from the format README documents, independently of the core: raw
 * deflate of the text, its 32-bit FNV-1a checksum (little-endian), unpadded base64url. */
export function v1Link(text) {
  const bytes = Buffer.from(text, "utf8");
  let sum = 0x811c9dc5;
  for (const b of bytes) sum = Math.imul(sum ^ b, 0x01000193) >>> 0;
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(sum);
  return `#v1=${Buffer.concat([deflateRawSync(bytes), tail]).toString("base64url")}`;
}

/** Runs the widget on the page (or frame) to the end of its run: a widget opens there by
 * default, so there may be nothing to do. */
export async function runToEnd(page) {
  if (await page.isEnabled("#end")) await page.click("#end");
  await page.waitForSelector("#end[disabled]");
}

/** Rewinds the widget to the start of its run (Reset), where nothing has happened yet and the
 * whole run is drawn faded. */
export async function fromStart(page) {
  await page.click("#reset");
  await page.waitForSelector("#end:not([disabled])");
}
