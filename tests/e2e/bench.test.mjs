// The flood benchmark in Chromium: prints the browser's events per second beside the native
// figure from `cargo bench` (reported in the README, never asserted), and checks that the
// browser processed exactly the events the native simulator does.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start } from "./browser.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test("the flood benchmark runs in the browser", { timeout: 120_000 }, async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}bench/?run`);
  const result = await page.waitForSelector("#result[data-events]", { timeout: 110_000 });
  const events = Number(await result.getAttribute("data-events"));
  // 1,000,000 SYN ticks and their arrivals, the half-open SYN,ACK retransmissions and the
  // client's attempts: the same count natively (cargo bench prints it).
  assert.equal(events, 2000793);
  console.log(`# browser ${await result.textContent()}`);
  assert.deepEqual(page.problems, []);
});
