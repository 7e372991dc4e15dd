// Real captures in the page: a pcapng file opened with the file picker or dropped on the page
// becomes an observed ladder with the same inspector and table, one connection at a time; a
// corrupt or huge file is explained and what was on show stays.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { start, ready, runToEnd } from "./browser.mjs";

const CAPTURES = fileURLToPath(new URL("../captures/", import.meta.url));
/** Four connections: three HTTP/1.0 exchanges and one persistent HTTP/1.1 connection. */
const HTTP = `${CAPTURES}http10-vs-http11.pcapng`;

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const arrows = (page) => page.locator("#ladder [data-seg-id]").count();
const errorText = (page) => page.locator("#act-error").textContent();

test("a capture opened with the picker shows each connection as an observed ladder", async () => {
  const page = await env.newPage();
  await ready(page, env.base);
  await page.setInputFiles("#capture-file", HTTP);
  await page.waitForSelector(".bar.capture:not([hidden])");
  assert.equal(await page.textContent("#capture-name"), "http10-vs-http11.pcapng");
  const options = await page.locator("#capture-conn option").allTextContents();
  assert.equal(options.length, 4);
  assert.match(options[1], /^10\.0\.0\.3:\d+-10\.0\.0\.2:8080 · 25 packets/);
  // Nothing to step or act on: the playback and act bars are gone.
  assert.equal(await page.isVisible("#step"), false);
  assert.equal(await page.isVisible("[data-act=connect]"), false);
  assert.equal(await arrows(page), 13);
  await page.selectOption("#capture-conn", "1");
  await page.waitForFunction(() => document.querySelector("tcp-playground").shadowRoot
    .querySelectorAll("#ladder [data-seg-id]").length === 25);

  // The inspector explains a captured segment, with its header and bytes.
  await page.locator('#ladder [data-seg-id="1"]').click();
  assert.match(await page.textContent("#insp-title"), /#1: 10\.0\.0\.3 → 10\.0\.0\.2 SYN/);
  assert.match(await page.textContent("#insp-why"), /^captured /);
  assert.match(await page.textContent("#insp-bytes"), /^45 00 /);
  assert.equal(await page.isVisible("[data-fault=drop]"), false);
  // The table lists the same 25 segments.
  await page.click("#table-box summary");
  await page.waitForFunction(() => document.querySelector("tcp-playground").shadowRoot
    .querySelectorAll("#table tbody tr").length === 25);
  assert.match(await page.textContent("#summary"), /A real capture, http10-vs-http11\.pcapng/);
  // A bad file while a capture is on show leaves that capture on show.
  await page.setInputFiles("#capture-file", { name: "bad.pcapng", mimeType: "application/octet-stream", buffer: readFileSync(HTTP).subarray(0, 40) });
  await page.waitForSelector("#act-error:not([hidden])");
  assert.equal(await arrows(page), 25);
  assert.equal(await page.textContent("#capture-name"), "http10-vs-http11.pcapng");

  // Choosing a scenario goes back to simulating.
  await page.selectOption("#preset", "handshake");
  await page.waitForSelector("#step:not([disabled])");
  assert.equal(await page.isVisible(".bar.capture"), false);
  assert.equal(await page.isVisible("#step"), true);
  assert.deepEqual(page.problems, []);
});

test("a capture dropped on the page opens too", async () => {
  const page = await env.newPage();
  await ready(page, env.base);
  const bytes = [...readFileSync(HTTP)];
  await page.evaluate((data) => {
    const file = new File([new Uint8Array(data)], "dropped.pcapng");
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    document.querySelector("main").dispatchEvent(new DragEvent("dragover", { dataTransfer, bubbles: true, cancelable: true }));
    document.querySelector("main").dispatchEvent(new DragEvent("drop", { dataTransfer, bubbles: true, cancelable: true }));
  }, bytes);
  await page.waitForSelector(".bar.capture:not([hidden])");
  assert.equal(await page.textContent("#capture-name"), "dropped.pcapng");
  assert.equal(await arrows(page), 13);
  assert.deepEqual(page.problems, []);
});

test("a corrupt, a cut-short or a huge file is explained and the ladder on show stays", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  await runToEnd(page);
  const before = await arrows(page);
  assert.equal(before, 3);

  await page.setInputFiles("#capture-file", { name: "notes.pcap", mimeType: "text/plain", buffer: Buffer.from("these are not packets\n") });
  await page.waitForSelector("#act-error:not([hidden])");
  assert.match(await errorText(page), /^notes\.pcap: not a pcap or pcapng file/);
  assert.equal(await arrows(page), before);
  assert.equal(await page.isVisible("#step"), true);

  const good = readFileSync(HTTP);
  await page.setInputFiles("#capture-file", { name: "cut.pcapng", mimeType: "application/octet-stream", buffer: good.subarray(0, 700) });
  await page.waitForFunction(() => /^cut\.pcapng: /.test(document.querySelector("tcp-playground").shadowRoot.getElementById("act-error").textContent));
  assert.match(await errorText(page), /cut short|runs past|ends/);
  assert.equal(await arrows(page), before);

  // Refused by its size before a byte of it is read.
  const opened = await page.evaluate(() => document.querySelector("tcp-playground")
    .openCapture(new Blob([new Uint8Array(100 * 1024 * 1024 + 1)]), "huge.pcap"));
  assert.equal(opened, false);
  assert.match(await errorText(page), /^huge\.pcap is 100\.0 MB; the playground opens captures up to 100 MB/);
  assert.equal(await arrows(page), before);
  assert.deepEqual(page.problems, []);
});
