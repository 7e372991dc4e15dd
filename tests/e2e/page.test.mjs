// The playground page in Chromium: stepping the handshake, playing the close.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, fromStart, start, runToEnd } from "./browser.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const flagsOfArrows = (page) =>
  page.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => g.getAttribute("data-flags")));

test("the page opens on a connection drawn whole; from its start, three steps draw the handshake", async () => {
  const page = await env.newPage();
  await page.goto(env.base);
  await page.waitForSelector("#step:not([disabled])");
  const whole = await flagsOfArrows(page);
  assert.deepEqual(whole.slice(0, 3), ["SYN", "SYN,ACK", "ACK"], "drawn before any input");
  assert.equal(whole.filter((f) => f.includes("FIN")).length, 2, "and the close");

  // Reset: nothing has happened yet, and the whole run is there, faded.
  await fromStart(page);
  assert.deepEqual(await flagsOfArrows(page), [], "nothing is sent before the first step");
  assert.equal(await page.locator("#ladder .later .seg").count(), whole.length);

  for (let i = 0; i < 3; i++) await page.click("#step");
  await page.waitForFunction(() => document.querySelector("tcp-playground").shadowRoot.querySelectorAll("#ladder [data-seg-id]").length === 3);
  assert.deepEqual(await flagsOfArrows(page), ["SYN", "SYN,ACK", "ACK"]);

  // Each arrow carries a unique segment id.
  const ids = await page.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => g.dataset.segId));
  assert.equal(new Set(ids).size, 3);
  // The client's lifeline says it is ESTABLISHED once the SYN,ACK has arrived.
  assert.equal(await page.locator('#ladder .state[data-host="client"][data-state="ESTABLISHED"]').count(), 1);
  await page.screenshot({ path: `${ARTIFACTS}handshake-3-steps.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
});

test("playing the close preset shows the FIN exchange and TIME-WAIT on the client", async () => {
  const page = await env.newPage();
  await page.goto(env.base);
  await page.waitForSelector("#step:not([disabled])");
  await page.selectOption("#preset", "close");
  await page.selectOption("#speed", "120");
  // The page opens at the end: Play replays the run from its start, and stops at its end.
  await page.click("#play");
  assert.equal(await page.getAttribute("#play", "aria-pressed"), "true");
  await page.waitForSelector('#play[aria-pressed="false"]', { timeout: 20_000 });
  await page.waitForSelector("#end[disabled]");

  const fins = await page.$$eval('#ladder [data-seg-id][data-flags*="FIN"]', (gs) =>
    gs.map((g) => g.getAttribute("aria-label")));
  assert.equal(fins.length, 2, `one FIN each way: ${fins}`);
  assert.ok(fins.some((l) => l.includes("from client to server")));
  assert.ok(fins.some((l) => l.includes("from server to client")));
  const states = (host) => page.$$eval(`#ladder .state[data-host="${host}"]`, (gs) => gs.map((g) => g.dataset.state));
  const client = await states("client");
  assert.deepEqual(client.slice(-4), ["FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]);
  assert.ok((await states("server")).includes("CLOSE-WAIT"));
  assert.ok((await states("server")).includes("LAST-ACK"));
  // The minute of TIME-WAIT is folded, not drawn a minute long.
  assert.match(await page.textContent("#ladder"), /≈ 60 s idle/);
  assert.match(await page.textContent("#status"), /The run is over/);
  await page.screenshot({ path: `${ARTIFACTS}close-played.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
});

test("a link to a preset opens it, and a link to an unknown one says so", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}#preset=close`);
  await page.waitForSelector("#step:not([disabled])");
  assert.equal(await page.inputValue("#preset"), "close");

  const other = await env.newPage();
  await other.goto(`${env.base}#preset=no-such-thing`);
  await other.waitForSelector("#step:not([disabled])");
  assert.match(await other.textContent("#error"), /could not be opened: the link names unknown preset `no-such-thing`/);
  assert.match(await other.textContent("#error"), /Showing a connection opened and closed instead/);
  assert.equal(await other.inputValue("#preset"), "close");
  assert.deepEqual(page.problems, []);
});

test("the keyboard steps and plays", async () => {
  const page = await env.newPage();
  await page.goto(env.base);
  await page.waitForSelector("#step:not([disabled])");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector("tcp-playground").shadowRoot.querySelectorAll("#ladder [data-seg-id]").length === 1);
  assert.deepEqual(await flagsOfArrows(page), ["SYN"]);
  assert.deepEqual(page.problems, []);
});

test("on a phone-sized screen in dark mode the ladder fits the width", async () => {
  const page = await env.newPage({ viewport: { width: 360, height: 740 }, colorScheme: "dark" });
  await page.goto(`${env.base}#preset=handshake`);
  await page.waitForSelector("#step:not([disabled])");
  for (let i = 0; i < 4; i++) await page.click("#step");
  assert.equal(await page.evaluate(() => window.innerWidth), 360);
  assert.ok(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: `${ARTIFACTS}phone-dark.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
});

test("acting on a host adds segments and records the action in the scenario", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}#preset=handshake`);
  await page.waitForSelector("#step:not([disabled])");
  await runToEnd(page);
  assert.equal(await page.inputValue("#actor"), "client");
  await page.click('[data-act="send 1000"]');
  await runToEnd(page);
  const flags = await flagsOfArrows(page);
  assert.ok(flags.includes("ACK,PSH"), `data was sent: ${flags}`);
  assert.match(await page.inputValue("#scenario"), /^at \S+ client send 1000$/m);

  // A refusal is explained, and nothing breaks.
  await page.selectOption("#actor", "server");
  await page.click('[data-act="connect"]');
  assert.match(await page.textContent("#act-error"), /server has nowhere to connect/);
  await page.screenshot({ path: `${ARTIFACTS}acted.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
});

test("a run over its budget ends with a message that says so", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}?max-events=50#preset=syn-flood`);
  await page.waitForSelector("#step:not([disabled])");
  await runToEnd(page);
  assert.match(await page.textContent("#status"), /stopped after 50 events, the limit for one run/);
  assert.deepEqual(page.problems, []);
});

test("during a flood the state panel sums up the half-open connections", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}#preset=syn-flood-cookies`);
  await page.waitForSelector("#step:not([disabled])");
  await runToEnd(page);
  const cards = await page.$$eval("#state .host", (hs) => hs.map((h) => h.querySelectorAll(".conn").length));
  assert.ok(cards.every((n) => n <= 4), `connections shown per host: ${cards}`);
  assert.match(await page.textContent("#state"), /and \d+ more half-open connections \(SYN-RECEIVED\)/);
  // The client's connection, the one that matters, is among those shown.
  assert.match(await page.textContent("#state"), /ESTABLISHED/);
  assert.deepEqual(page.problems, []);
});
