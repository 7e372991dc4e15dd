// The flood benchmark in Chromium: prints the browser's events per second beside the native
// figure from `cargo bench` (reported in the README, never asserted), and checks that the
// browser processed exactly the events the native simulator does.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, start, v1Link, runToEnd } from "./browser.mjs";

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
  assert.equal(events, 2000699);
  console.log(`# browser ${await result.textContent()}`);
  assert.deepEqual(page.problems, []);
});

// A transfer of 5 MB: about 3,600 data segments and their ACKs.
const LONG = "host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=20ms\nserver listen 80\nat 0s client connect server:80\nat 0.1s client send 5000000\n";

test("how fast the first ladder appears, and how fast a long one is drawn", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  const first = await page.evaluate(() => performance.getEntriesByName("tcp-playground:first-ladder")[0].startTime);
  console.log(`# first ladder painted ${first.toFixed(0)} ms after navigation began`);

  const long = await env.newPage();
  await ready(long, `${env.base}${v1Link(LONG)}`);
  await runToEnd(long);
  const segments = await long.evaluate(() => document.querySelector("tcp-playground").playground.segmentCount());
  assert.ok(segments > 5000, `${segments} segments`);
  // Only the part in view (and a screen either side) is drawn; scrolling draws the rest.
  const drawn = () => long.locator("#ladder [data-seg-id]").count();
  const lastId = () => long.evaluate(() => Math.max(...[...document.querySelector("tcp-playground").shadowRoot.querySelectorAll("#ladder [data-seg-id]")].map((g) => Number(g.dataset.segId))));
  assert.ok(await drawn() < segments / 4, `${await drawn()} of ${segments} arrows drawn`);
  const before = await lastId();
  await long.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await long.waitForFunction((before) => Math.max(...[...document.querySelector("tcp-playground").shadowRoot.querySelectorAll("#ladder [data-seg-id]")].map((g) => Number(g.dataset.segId))) > before + 1000, before);
  assert.ok(await lastId() >= segments - 5, `the last arrows are drawn at the bottom (${await lastId()})`);
  // Redraw a few times (the absolute/relative toggle) and keep the best, as the benchmarks do.
  const times = [];
  for (let i = 0; i < 3; i++) {
    await long.click("#absolute");
    times.push(await long.evaluate(() => document.querySelector("tcp-playground").lastDrawMs));
  }
  console.log(`# ${segments}-segment ladder laid out and drawn in ${Math.min(...times).toFixed(0)} ms (best of 3)`);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(long.problems, []);
});
