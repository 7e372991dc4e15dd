// Every preset in the browser: it loads, runs to its end, and draws exactly the segments of
// the native golden trace in tests/golden/ (the same simulation, natively and in wasm).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { start, runToEnd } from "./browser.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const golden = (name) => readFileSync(new URL(`../golden/${name}.txt`, import.meta.url), "utf8");

/** `SYN`, `SYN,ACK`, ... for each segment sent, in order, from a golden text trace. */
const goldenFlags = (text) =>
  text.split("\n").flatMap((line) => {
    const m = /^\S+ \S+ > \S+ (\S+) seq=/.exec(line);
    return m ? [m[1]] : [];
  });

test("every preset runs to its end in the page and draws its golden segments", async () => {
  const page = await env.newPage();
  await page.goto(env.base);
  await page.waitForSelector("#step:not([disabled])");
  const names = await page.$$eval("#preset option:not([hidden])", (os) => os.map((o) => o.value));
  assert.ok(names.length >= 18, `${names.length} presets`);
  for (const name of names) {
    await page.selectOption("#preset", name);
    await runToEnd(page);
    const drawn = await page.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => g.dataset.flags));
    assert.deepEqual(drawn, goldenFlags(golden(name)), name);
    assert.match(await page.textContent("#status"), /The run is over/, name);
  }
  assert.deepEqual(page.problems, []);
});

test("a counterfactual preset says on the ladder that it is not real TCP", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}#preset=two-way-handshake`);
  await page.waitForSelector("#step:not([disabled])");
  assert.match(await page.textContent("#ladder .counterfactual"), /not real TCP/);
  await page.goto(`${env.base}#preset=handshake`);
  await page.waitForSelector("#step:not([disabled])");
  assert.equal(await page.locator("#ladder .counterfactual").count(), 0);
});

test("a lost segment ends in a cross, and its retransmission is marked", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}#preset=syn-lost`);
  await page.waitForSelector("#step:not([disabled])");
  await page.keyboard.press("End");
  await page.waitForSelector("#end[disabled]");
  const syns = await page.$$eval('#ladder [data-seg-id][data-flags="SYN"]', (gs) => gs.map((g) => g.getAttribute("class")));
  assert.equal(syns.length, 2);
  assert.match(syns[0], /\blost\b/);
  assert.match(syns[1], /\bretrans\b/);
  assert.equal(await page.locator("#ladder .seg.lost .seg-cross").count(), 1);
  assert.deepEqual(page.problems, []);
});
