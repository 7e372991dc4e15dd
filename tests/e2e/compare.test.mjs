// Compare mode in Chromium: two variants of one scenario side by side on one time axis,
// stepped together, shared by one link.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ready, start, runToEnd } from "./browser.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** The y where each arrow with these flags starts, per panel. */
function starts(page, flags) {
  return page.evaluate((flags) => {
    const svg = document.querySelector("#main").shadowRoot.querySelector("svg.ladder");
    return [...svg.querySelectorAll("[data-panel]")].map((panel) =>
      [...panel.querySelectorAll(`[data-seg-id][data-flags="${flags}"] .seg-line`)].map((l) => Number(l.getAttribute("y1"))));
  }, flags);
}

async function compareWithClassic(page) {
  await ready(page, `${env.base}#preset=syn-lost`);
  await page.click("#compare-open");
  await page.click('[data-variant="profile classic"]');
  assert.match(await page.inputValue("#compare-text"), /^profile classic$/m);
  await page.click("#compare-run");
  await page.waitForSelector("svg.ladder.compare [data-panel='1']");
}

test("a variant runs beside the scenario on the same clock, and one link carries both", async () => {
  const page = await env.newPage();
  await compareWithClassic(page);
  // The titles say what differs.
  const titles = await page.$$eval("#main >> .panel-title", (ts) => ts.map((t) => t.textContent));
  assert.deepEqual(titles, ["profile linux", "profile classic"]);

  // Stepped together: the first SYN leaves both at t = 0, at the same height.
  await page.click("#step");
  await page.click("#step");
  let [linux, classic] = await starts(page, "SYN");
  assert.equal(linux.length, 1);
  assert.equal(classic.length, 1);
  assert.equal(linux[0], classic[0]);

  // Run to the end: the retransmission leaves after 1 s on Linux and 3 s in classic, so lower.
  await runToEnd(page);
  [linux, classic] = await starts(page, "SYN");
  assert.equal(linux.length, 2);
  assert.equal(classic.length, 2);
  assert.ok(classic[1] > linux[1] + 20, `classic's retry at ${classic[1]}, Linux's at ${linux[1]}`);
  await page.screenshot({ path: `${ARTIFACTS}compare.png`, fullPage: true });

  // Copy link: the address bar carries both variants; a reader sees the same comparison.
  await page.click("#copy-link");
  await page.waitForFunction(() => location.hash.includes("&vs="));
  const url = await page.evaluate(() => location.href);
  const original = await page.innerHTML("#ladder");
  const reader = await env.newPage();
  await ready(reader, url);
  await reader.waitForSelector("svg.ladder.compare");
  assert.equal(await reader.inputValue("#compare-text"), await page.inputValue("#compare-text"));
  await runToEnd(reader);
  assert.equal(await reader.innerHTML("#ladder"), original);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(reader.problems, []);
});

test("what the reader does happens in both variants", async () => {
  const page = await env.newPage();
  await compareWithClassic(page);
  await page.click("#step");
  await page.selectOption("#actor", "client");
  await page.click('[data-act="connect"]');
  await runToEnd(page);
  // Each variant: the first connection's lost SYN and its retry, and the second's SYN.
  const [linux, classic] = await starts(page, "SYN");
  assert.equal(linux.length, 3);
  assert.equal(classic.length, 3);
  assert.match(await page.evaluate(() => document.querySelector("#main").shareLink()), /&vs=/);
  assert.deepEqual(page.problems, []);
});

test("compare mode: Back, the inspector per panel, the table, and stopping", async () => {
  const page = await env.newPage();
  await compareWithClassic(page);
  for (let i = 0; i < 3; i++) await page.click("#step");
  const before = await page.innerHTML("#ladder");
  await page.click("#step");
  await page.click("#back");
  await page.waitForFunction((html) => document.querySelector("#main").shadowRoot.querySelector("#ladder").innerHTML === html, before);

  // An arrow in the right-hand panel opens that variant's segment.
  await runToEnd(page);
  await page.click("[data-panel='1'] [data-seg-id][data-flags='SYN,ACK'] .seg-line");
  assert.match(await page.textContent("#insp-title"), /^profile classic: /);
  // Dropping it changes only that variant: its server sends the SYN,ACK once more.
  const [linuxBefore, classicBefore] = await starts(page, "SYN,ACK");
  await page.click('[data-fault="drop"]');
  await runToEnd(page);
  const [linuxAfter, classicAfter] = await starts(page, "SYN,ACK");
  assert.deepEqual(linuxAfter, linuxBefore);
  assert.equal(classicAfter.length, classicBefore.length + 1);

  // The segment table lists both variants.
  await page.click("#table-box summary");
  await page.locator("#table tbody tr").first().waitFor();
  const variants = await page.$$eval("#main >> #table tbody tr td:first-child", (tds) => new Set(tds.map((t) => t.textContent)).size);
  assert.equal(variants, 2);

  await page.click("#compare-stop");
  await page.waitForSelector("svg.ladder:not(.compare)");
  assert.equal(await page.locator("[data-panel]").count(), 0);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /&vs=/);
  assert.deepEqual(page.problems, []);
});

test("a variant with an error says where, and the comparison does not start", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  await page.click("#compare-open");
  await page.fill("#compare-text", "host client 10.0.0.1\nat 1s client conect server:80\n");
  await page.click("#compare-run");
  await page.waitForSelector("#compare-errors:not([hidden])");
  assert.match(await page.textContent("#compare-errors"), /2:\d+: .*connect/);
  assert.equal(await page.locator("svg.ladder.compare").count(), 0);
  assert.deepEqual(page.problems, []);
});
