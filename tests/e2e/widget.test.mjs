// The <tcp-playground> widget in Chromium: every control and action changes the diagram as it
// should, the inspector explains a segment and can drop it, the embed code works on another
// site's page without styles leaking either way, and text from a link is never run as HTML.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { ARTIFACTS, ready, start, v1Link, runToEnd } from "./browser.mjs";
import { serve } from "../../tools/serve.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** How many arrows of each flag set the ladder draws. */
async function counts(page, root = page) {
  const flags = await root.locator("#ladder [data-seg-id]").evaluateAll((gs) => gs.map((g) => g.dataset.flags));
  const out = {};
  for (const f of flags) out[f] = (out[f] ?? 0) + 1;
  return out;
}
const total = (c) => Object.values(c).reduce((a, b) => a + b, 0);

/** Runs to the end (an action may already have run everything there was to run). */
async function toEnd(page) {
  if (await page.isEnabled("#end")) await runToEnd(page);
}

const clock = (page) => page.textContent("#clock");

/** Moves the time scrubber (per mille of the run) and waits for the clock to follow. */
async function scrub(page, permille) {
  const before = await clock(page);
  await page.locator("#scrubber").fill(String(permille));
  await page.waitForFunction((old) => {
    const c = document.querySelector("tcp-playground").shadowRoot.getElementById("clock");
    return c.value !== old;
  }, before);
}

test("step, back, the scrubber and reset move through the run", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  for (let i = 0; i < 3; i++) await page.click("#step");
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1, ACK: 1 });
  await page.click("#back");
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1 });
  await page.keyboard.press("ArrowLeft");
  assert.deepEqual(await counts(page), { SYN: 1 });
  await page.click("#step");
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1 });

  await toEnd(page);
  // The run ends when the final ACK arrives, at 150 ms: halfway, the SYN,ACK has left and
  // the final ACK has not; a tenth of the way in, only the SYN is on its way.
  assert.equal(await clock(page), "t = 150 ms");
  await scrub(page, 500);
  assert.equal(await clock(page), "t = 75 ms");
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1 });
  await scrub(page, 100);
  assert.equal(await clock(page), "t = 15 ms");
  assert.deepEqual(await counts(page), { SYN: 1 });

  await page.click("#reset");
  assert.deepEqual(await counts(page), {});
  assert.deepEqual(page.problems, []);
});

/** Two hosts, a server, one connection, and three hours to play in. */
const PLAYGROUND = "host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=50ms\nserver listen 80\nat 0s client connect server:80\nrun 3h\n";

test("each action button changes the diagram as it should", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}${v1Link(PLAYGROUND)}`);
  await toEnd(page);
  const act = async (what, host = "client", { run = true } = {}) => {
    await page.selectOption("#actor", host);
    await page.click(`[data-act="${what}"]`);
    if (run) await toEnd(page);
    return counts(page);
  };
  let c = await act("send 1000");
  assert.equal(c["ACK,PSH"], 1, "one data segment");
  // The server closes at once too (left alone, the client's orphaned FIN-WAIT-2 would end
  // in an RST after 60 s).
  c = await act("close", "client", { run: false });
  assert.equal(c["ACK,FIN"], 1, "the client's FIN");
  c = await act("close", "server");
  assert.equal(c["ACK,FIN"], 2, "and the server's");
  c = await act("connect");
  assert.equal(c.SYN, 2, "a second connection");
  c = await act("abort");
  assert.ok(c.RST >= 1 || c["ACK,RST"] >= 1, `an RST: ${JSON.stringify(c)}`);

  // Lose the next segment: a cross where it died, and TCP sends it again.
  await page.selectOption("#actor", "client");
  await page.click('[data-act="connect"]');
  await page.click('[data-act="lose-next"]');
  assert.match(await page.locator("#act-error").isHidden() ? "" : await page.textContent("#act-error"), /^$/);
  await toEnd(page);
  assert.equal(await page.locator("#ladder .seg-cross").count(), 1, "one segment lost");
  // The lost one is the handshake's final ACK (the SYN left as the connect was clicked): the
  // server, still waiting, sends its SYN,ACK again.
  assert.ok((await page.locator('#ladder [data-seg-id][data-flags="SYN,ACK"].retrans').count()) >= 1, "a retransmission answers the loss");

  // Crash the server: the client's data goes unanswered and is retransmitted.
  const before = total(await counts(page));
  await act("crash", "server");
  c = await act("send 1000");
  assert.ok(total(c) > before + 3, "retransmissions after the crash");
  assert.match(await page.textContent("#state"), /crashed/);
  await act("reboot", "server");
  assert.doesNotMatch(await page.textContent("#state"), /crashed/);
  assert.deepEqual(page.problems, []);
});

test("a flood, the SYN cookies toggle, keepalive and skipping idle time", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=syn-flood`);
  assert.equal(await page.isChecked("#cookies"), false, "the syn-flood preset has cookies off");
  await toEnd(page);
  // Without cookies the client's SYNs meet a full SYN queue again and again (the client, the
  // first host, sends from-0 arrows); it gets in only when a retry finds room.
  const lostSyns = () => page.locator('#ladder .seg.from-0.lost[data-flags="SYN"]').count();
  assert.ok(await lostSyns() >= 5, `${await lostSyns()} of the client's SYNs lost`);
  await page.check("#cookies");
  await toEnd(page);
  assert.match(await page.inputValue("#scenario"), /^set server\.syncookies 1$/m);
  assert.equal(await lostSyns(), 0, "with cookies the client's first SYN gets its answer");
  assert.equal(await page.locator('#ladder .state[data-host="client"][data-state="ESTABLISHED"]').count(), 1,
    "with cookies the client gets in");

  const quiet = await env.newPage();
  await ready(quiet, `${env.base}#preset=handshake`);
  await toEnd(quiet);
  const syns = (await counts(quiet)).SYN;
  await quiet.click('[data-act="flood"]');
  await toEnd(quiet);
  assert.ok((await counts(quiet)).SYN > syns + 3, "the flood's SYNs are drawn");

  const idle = await env.newPage();
  await ready(idle, `${env.base}${v1Link(PLAYGROUND)}`);
  await toEnd(idle);
  await idle.click('[data-act="keepalive on"]');
  const arrows = total(await counts(idle));
  await idle.click('[data-act="skip"]');
  assert.equal(total(await counts(idle)), arrows + 1, "one more segment: the first probe");
  assert.match(await idle.textContent("#clock"), /t = 72\d\d\.\d+ s/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(quiet.problems, []);
  assert.deepEqual(idle.problems, []);
});

test("the inspector explains a SYN,ACK, and dropping it brings its retransmission", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}${v1Link(PLAYGROUND)}`);
  await toEnd(page);
  await page.click('#ladder [data-seg-id][data-flags="SYN,ACK"]');
  await page.waitForSelector("#inspector:not([hidden])");
  const text = await page.textContent("#inspector");
  assert.match(text, /server → client SYN,ACK seq=0 ack=1/);
  assert.match(text, /syn-received/);
  assert.match(await page.getAttribute("#insp-why a", "href"), /rfc9293#section-3\.10\.7\.2$/);
  assert.match(text, /client \(receiver\)SYN-SENT → ESTABLISHED/);
  assert.match(text, /server \(sender\)LISTEN → SYN-RECEIVED/);
  assert.match(await page.textContent("#insp-bytes"), /^45 00 00 3c/, "a 20-byte IPv4 header, then 40 bytes of TCP");
  await page.screenshot({ path: `${ARTIFACTS}inspector.png`, fullPage: true });

  await page.click('[data-fault="drop"]');
  assert.match(await page.textContent("#status"), /Added “drop server->client nth=1 flags=SYN,ACK len=0”/);
  await toEnd(page);
  // The SYN,ACK again: at once when the client's repeated SYN arrives, and when its own
  // timer fires.
  assert.ok((await counts(page))["SYN,ACK"] >= 2, "the SYN,ACK is sent again");
  assert.equal(await page.locator('#ladder [data-seg-id][data-flags="SYN,ACK"] .seg-cross').count(), 1);
  assert.match(await page.inputValue("#scenario"), /^drop server->client nth=1 flags=SYN,ACK len=0$/m);

  // The keyboard reaches the inspector too: focus an arrow, press Enter.
  await page.locator('#ladder [data-seg-id][data-flags="ACK"]').first().focus();
  await page.keyboard.press("Enter");
  assert.match(await page.textContent("#insp-title"), /client → server ACK/);
  assert.deepEqual(page.problems, []);
});

test("the widget speaks Chinese with lang=zh", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=handshake`);
  await page.evaluate(() => document.getElementById("main").setAttribute("lang", "zh"));
  assert.equal(await page.textContent("#step"), "单步");
  await toEnd(page);
  // The ladder's words follow: what a screen reader hears of an arrow and of the diagram.
  assert.equal(await page.getAttribute('#ladder [data-seg-id][data-flags="SYN"]', "aria-label"), "SYN seq=0，从 client 到 server");
  assert.equal(await page.getAttribute("#ladder svg", "aria-label"), "client、server 之间的时序图：3 个报文段");
  assert.equal(await page.textContent("#status"), "运行结束：已经没有会发生的事了。");
  await page.click('#ladder [data-seg-id][data-flags="SYN"]');
  assert.match(await page.textContent("#insp-why"), /connect\(\)/);
  assert.match(await page.textContent("#insp-why"), /。/);
  assert.deepEqual(page.problems, []);
});

test("the segment table lists every arrow", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=close`);
  await toEnd(page);
  await page.click("#table-box summary");
  // The table is filled when the details element's toggle event arrives, after the click.
  await page.locator("#table tbody tr").first().waitFor();
  const rows = await page.locator("#table tbody tr").count();
  assert.equal(rows, total(await counts(page)));
  assert.match(await page.textContent("#table tbody tr:first-child"), /client.*server.*SYN seq=0.*delivered/);
  assert.deepEqual(page.problems, []);
});

test("the embed code works on another site's page, twice, with no style leaking either way", async () => {
  const codes = [];
  for (const preset of ["syn-lost", "close"]) {
    const page = await env.newPage();
    await ready(page, `${env.base}#preset=${preset}`);
    await page.click("#copy-embed");
    codes.push(await page.inputValue("#copy-box"));
  }
  assert.match(codes[0], /^<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/widget\/tcp-playground\.js"><\/script>\n<tcp-playground scenario="/);
  const fixture = readFileSync(new URL("../fixtures/docs.html", import.meta.url), "utf8")
    .replace("<!-- EMBED -->", codes.join("\n"));
  // The documentation site is another origin (another port); the widget comes from the
  // playground's, as it would from wherever the playground is published.
  writeFileSync(`${ARTIFACTS}docs-with-embeds.html`, fixture);
  const docs = await serve({ root: ARTIFACTS });
  const page = await env.newPage();
  await page.goto(`http://127.0.0.1:${docs.address().port}/docs-with-embeds.html`);
  const widgets = page.locator("tcp-playground");
  assert.equal(await widgets.count(), 2);
  await page.waitForFunction(() => [...document.querySelectorAll("tcp-playground")]
    .every((w) => w.shadowRoot?.querySelector("#step:not([disabled])")));
  // Each widget opens at the end of its run, drawn whole, before any click.
  for (let i = 0; i < 2; i++) await widgets.nth(i).locator("#end[disabled]").waitFor();
  const first = await counts(page, widgets.nth(0));
  const second = await counts(page, widgets.nth(1));
  assert.equal(first.SYN, 2, "syn-lost: the SYN and its retransmission");
  assert.equal(second["ACK,FIN"], 2, "close: a FIN each way");

  const style = (locator, prop) => locator.evaluate((e, p) => getComputedStyle(e)[p], prop);
  // The page's styles do not reach into the widget...
  const step = widgets.nth(0).locator("#step");
  assert.equal(await style(step, "textTransform"), "none");
  assert.equal(await style(step, "letterSpacing"), "normal");
  assert.equal(await style(widgets.nth(0).locator("#ladder"), "borderTopStyle"), "solid");
  // ...and the widget's styles do not reach out.
  assert.equal(await style(page.locator("#page-button"), "letterSpacing"), "4px");
  assert.equal(await style(page.locator("#page-button"), "borderTopLeftRadius"), "0px");
  assert.equal(await style(page.locator("#prose"), "fontSize"), "22px");
  await page.screenshot({ path: `${ARTIFACTS}embedded-twice.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
  docs.closeAllConnections();
  await new Promise((ok) => docs.close(ok));
});

test("markup hidden in a link's scenario is shown as text and never runs", async () => {
  const attack = '<img src=x onerror="window.pwned=1">';
  const good = `# ${attack}\nhost a 10.0.0.1\nhost b 10.0.0.2\nlink a b delay=5ms\nb listen 22\nat 0s a connect b:22\n`;
  const page = await env.newPage();
  await ready(page, `${env.base}${v1Link(good)}`);
  await toEnd(page);
  assert.equal(await page.inputValue("#scenario"), good);
  await page.click("#copy-embed");
  const code = await page.inputValue("#copy-box");
  assert.ok(code.includes("&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;"), code);

  const bad = `host ${attack} 10.0.0.1\n`;
  const other = await env.newPage();
  await ready(other, `${env.base}${v1Link(bad)}`);
  assert.ok((await other.textContent("#scenario-errors")).includes(attack));
  for (const p of [page, other]) {
    const images = await p.evaluate(() => {
      const all = [document, ...[...document.querySelectorAll("tcp-playground")].map((w) => w.shadowRoot)];
      return all.reduce((n, root) => n + root.querySelectorAll("img").length, 0);
    });
    assert.equal(images, 0, "no element was made from the text");
    assert.equal(await p.evaluate(() => window.pwned), undefined);
    assert.deepEqual(p.problems, []);
  }
});

test("the iframe code opens the embed page with the same scenario", async () => {
  const page = await env.newPage();
  await ready(page, `${env.base}#preset=syn-lost`);
  await toEnd(page);
  const original = await counts(page);
  await page.click("#copy-iframe");
  const code = await page.inputValue("#copy-box");
  const src = /src="([^"]+)"/.exec(code)[1];
  assert.match(src, /\/embed\.html#v1=/);
  const framed = await env.newPage();
  await framed.setContent(code);
  const frame = framed.frameLocator("iframe");
  await frame.locator("#step:not([disabled])").waitFor();
  // It opens at the end of the run, drawn whole.
  await frame.locator("#end[disabled]").waitFor();
  const flags = await frame.locator("#ladder [data-seg-id]").evaluateAll((gs) => gs.map((g) => g.dataset.flags));
  const inFrame = {};
  for (const f of flags) inFrame[f] = (inFrame[f] ?? 0) + 1;
  assert.deepEqual(inFrame, original);

  const broken = await env.newPage();
  await ready(broken, `${env.base}embed.html?lang=zh#v1=AAAA`);
  assert.match(await broken.textContent("#error"), /could not be opened: the link is damaged/);
  assert.equal(await broken.textContent("#step"), "单步");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(framed.problems, []);
  assert.deepEqual(broken.problems, []);
});

test("the pcap download opens in Wireshark with the ladder's segments", async () => {
  const page = await env.newPage({ acceptDownloads: true });
  await ready(page, `${env.base}#preset=data-transfer`);
  await toEnd(page);
  const arrows = await page.locator("#ladder [data-seg-id]").evaluateAll((gs) =>
    gs.map((g) => [Number(g.dataset.segId), g.dataset.flags]).sort((a, b) => a[0] - b[0]).map((a) => a[1]));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-pcap")]);
  assert.equal(download.suggestedFilename(), "tcp-playground.pcap");
  const file = `${ARTIFACTS}widget.pcap`;
  await download.saveAs(file);
  const out = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "tcp.flags", "-e", "tcp.checksum.status",
    "-o", "tcp.check_checksum:TRUE"], { encoding: "utf8" });
  const names = [[0x02, "SYN"], [0x10, "ACK"], [0x01, "FIN"], [0x04, "RST"], [0x08, "PSH"]];
  const packets = out.trim().split("\n").map((line) => {
    const [bits, checksum] = line.split("\t");
    assert.equal(checksum, "1", `a good TCP checksum: ${line}`);
    return names.filter(([bit]) => Number(bits) & bit).map(([, name]) => name).join(",");
  });
  assert.ok(arrows.length > 5);
  assert.deepEqual(packets, arrows, "one packet per arrow, with the same flags, in order");
  assert.deepEqual(page.problems, []);
});

test("start opens a widget at the end, at its start or at a moment, and a bad one is explained", async () => {
  const page = await env.newPage();
  const open = async (start) => {
    await page.goto(`${env.base}embed.html?start=${start}#preset=close`);
    await page.waitForSelector("#step:not([disabled])");
    return {
      sent: await page.locator("#ladder [data-seg-id]").count(),
      later: await page.locator("#ladder .later .seg").count(),
      clock: await page.textContent("#clock"),
    };
  };
  const end = await open("end");
  assert.ok(end.sent >= 7 && end.later === 0, JSON.stringify(end));
  assert.deepEqual(await open("0"), { sent: 0, later: end.sent, clock: "t = 0 ms" });
  const moment = await open("1.05s");
  assert.ok(moment.sent > 3 && moment.sent < end.sent && moment.sent + moment.later === end.sent, JSON.stringify(moment));
  assert.equal(moment.clock, "t = 1.050 s");
  assert.equal(await page.locator("#ladder .now").count(), 1, "the moment is marked");
  const bad = await open("soon");
  assert.match(await page.textContent("#act-error"), /^start `soon`: .*write `end`, `0` or a moment such as `2\.5s`/);
  assert.deepEqual(bad, { sent: 0, later: end.sent, clock: "t = 0 ms" });
  assert.deepEqual(page.problems, []);
});

test("capture= draws a real capture, and a missing or unreadable one leaves the scenario on show with the reason", async () => {
  const page = await env.newPage();
  await page.goto(`${env.base}learn/en/segment.html`);
  const widget = (attrs) => page.evaluate((html) => {
    document.querySelector("article").innerHTML = html;
  }, `<tcp-playground lang="en" ${attrs}></tcp-playground>`);

  await widget(`capture="../captures/data-transfer-client.pcap"`);
  await page.waitForSelector(".bar.capture:not([hidden])");
  assert.equal(await page.textContent("#capture-name"), "data-transfer-client.pcap");
  const flags = await page.locator("#ladder [data-seg-id]").evaluateAll((gs) => gs.map((g) => g.dataset.flags));
  // The kernel's client capture: the handshake, 3,000 bytes in three segments and their ACKs,
  // 1,000 bytes back, and the close.
  assert.equal(flags.length, 15, flags.join(" "));
  assert.deepEqual(flags.slice(0, 3), ["SYN", "SYN,ACK", "ACK"]);
  assert.equal(flags.filter((f) => f.includes("FIN")).length, 2);

  await widget(`capture="../captures/missing.pcap" scenario="preset:handshake"`);
  await page.waitForSelector("#act-error:not([hidden])");
  assert.match(await page.textContent("#act-error"), /missing\.pcap could not be loaded \(HTTP 404\)/);
  await page.waitForSelector("#step:not([disabled]), #end[disabled]");
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1, ACK: 1 });
  assert.equal(await page.isVisible(".bar.capture"), false);

  await widget(`capture="../articles.js" scenario="preset:handshake"`);
  await page.waitForSelector("#act-error:not([hidden])");
  assert.match(await page.textContent("#act-error"), /^articles\.js: /);
  assert.deepEqual(await counts(page), { SYN: 1, "SYN,ACK": 1, ACK: 1 });
  // The browser logs the missing file's 404 itself; nothing else went wrong.
  assert.deepEqual(page.problems.filter((p) => !/status of 404/.test(p)), []);
});
