// Share links and the scenario editor in Chromium: a link replays exactly what its sender saw,
// a bad link or a bad scenario says what is wrong without losing what the reader had.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ready, start, v1Link, runToEnd } from "./browser.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** Runs to the end and returns the ladder's SVG. */
async function finalLadder(page) {
  await runToEnd(page);
  return page.innerHTML("#ladder");
}

test("a copied link replays the preset it came from, arrow for arrow", async () => {
  for (const preset of ["syn-lost", "old-duplicate-syn", "syn-flood-cookies"]) {
    const page = await env.newPage();
    await ready(page, `${env.base}#preset=${preset}`);
    await page.click("#copy-link");
    await page.waitForFunction(() => location.hash.startsWith("#v1="));
    const url = await page.evaluate(() => location.href);
    assert.ok(url.length - env.base.length < 1024, `${preset}: the link is ${url.length} characters`);
    const original = await finalLadder(page);

    const reader = await env.newPage();
    await ready(reader, url);
    assert.equal(await reader.inputValue("#preset"), "custom");
    assert.equal(await reader.inputValue("#scenario"), await page.inputValue("#scenario"));
    assert.equal(await finalLadder(reader), original, `${preset}: the diagrams differ`);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(reader.problems, []);
  }
});

test("a link carries what the reader did, at the moment they did it", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  for (let i = 0; i < 4; i++) await page.click("#step");
  await page.click('[data-act="send 1000"]');
  await page.click('[data-act="close"]');
  await page.click("#copy-link");
  await page.waitForFunction(() => location.hash.startsWith("#v1="));
  const url = await page.evaluate(() => location.href);
  const original = await finalLadder(page);

  const reader = await env.newPage();
  await ready(reader, url);
  assert.match(await reader.inputValue("#scenario"), /^at \S+ client send 1000\nat \S+ client close$/m);
  assert.equal(await finalLadder(reader), original);
  assert.deepEqual(reader.problems, []);
});

test("a damaged, foreign or future link says so and opens the handshake", async () => {
  const good = await env.newPage();
  await ready(good, `${env.base}#preset=syn-lost`);
  await good.click("#copy-link");
  await good.waitForFunction(() => location.hash.startsWith("#v1="));
  const hash = await good.evaluate(() => location.hash);
  const damaged = hash.slice(0, 20) + (hash[20] === "A" ? "B" : "A") + hash.slice(21);

  const cases = [
    [damaged, /could not be opened: the link is damaged/],
    [hash.slice(0, hash.length - 9), /could not be opened: the link is damaged/],
    ["#v7=AAAA", /made by a newer TCP Playground \(link format v7\)/],
    ["#v1=<script>alert(1)</script>", /the link is damaged: `<` \(character 1\) does not belong in it/],
    ["#section-3", /not a TCP Playground link/],
  ];
  for (const [fragment, message] of cases) {
    const page = await env.newPage();
    await ready(page, `${env.base}${fragment}`);
    assert.match(await page.textContent("#error"), message, fragment);
    assert.match(await page.textContent("#error"), /Showing a connection opened and closed instead/);
    assert.equal(await page.inputValue("#preset"), "close");
    await page.click("#step");
    assert.deepEqual(await page.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => g.dataset.flags)), ["SYN"]);
    assert.deepEqual(page.problems, [], fragment);
  }
});

test("the editor points at a mistake, keeps the diagram, and runs the corrected text", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  await runToEnd(page);
  const before = await page.innerHTML("#ladder");

  await page.click("#editor summary");
  const text = await page.inputValue("#scenario");
  await page.fill("#scenario", text.replace("server listen 80", "server lisen 80"));
  await page.click("#run-text");
  const errors = await page.textContent("#scenario-errors");
  assert.match(errors, /^\d+:8: unknown statement `server lisen`; did you mean `server listen`\?/);
  assert.match(errors, /\| server lisen 80\n\s+\|\s+\^{5}$/m);
  assert.equal(await page.innerHTML("#ladder"), before, "the diagram stays");
  // The offending word is selected in the editor.
  assert.equal(await page.evaluate(() => {
    const a = document.getElementById("scenario");
    return a.value.slice(a.selectionStart, a.selectionEnd);
  }), "lisen");
  await page.screenshot({ path: `${ARTIFACTS}editor-error.png`, fullPage: true });

  await page.fill("#scenario", text.replace("delay=50ms", "delay=200ms"));
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(() => location.hash.startsWith("#v1="));
  assert.ok(await page.isHidden("#scenario-errors"));
  assert.equal(await page.inputValue("#preset"), "custom");
  await page.click("#step");
  await page.click("#step");
  // The SYN,ACK now leaves the server 200 ms after the SYN left the client.
  assert.match(await page.textContent("#clock"), /t = 200 ms/);
  assert.deepEqual(page.problems, []);
});

test("a link made elsewhere opens, and one whose scenario has errors shows them in the editor", async () => {
  const good = await env.newPage();
  await ready(good, `${env.base}${v1Link("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b delay=5ms\nb listen 22\nat 0s a connect b:22\n")}`);
  assert.equal(await good.isHidden("#error"), true);
  await finalLadder(good);
  assert.deepEqual(await good.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => g.dataset.flags)), ["SYN", "SYN,ACK", "ACK"]);

  const page = await env.newPage();
  const text = "host a 10.0.0.1\nlink a b delay=5ms\n";
  await ready(page, `${env.base}${v1Link(text)}`);
  assert.match(await page.textContent("#error"), /The scenario in this link has an error, shown under it below/);
  assert.equal(await page.inputValue("#scenario"), text, "the reader keeps the link's text to fix");
  assert.match(await page.textContent("#scenario-errors"), /^2:8: unknown host `b`; known hosts: a/);
  assert.equal(await page.inputValue("#preset"), "close");
  assert.deepEqual(good.problems, []);
  assert.deepEqual(page.problems, []);
});
