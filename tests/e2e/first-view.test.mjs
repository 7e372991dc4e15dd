// The first view: the home page opens on a ladder, drawn into the page before the core runs
// (exactly what the core draws), painted with the first paint, above the fold on a laptop and
// on a phone; how soon it is painted is printed (five cold loads), never asserted. Screenshots
// of the home page, an article and every preset, light and dark, 1366 and 360 px wide, go to
// a folder outside the repo for review.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ready, start } from "./browser.mjs";
import { FIRST_DRAW, FIRST_VIEW, firstLook, inlined, prerendered, styleSource } from "../../tools/first-ladder.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const SCREENSHOTS = process.env.SCREENSHOTS ?? join(tmpdir(), "tcp-playground-screenshots");
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 360, height: 740 };
const HTML = readFileSync(new URL("../../www/index.html", import.meta.url), "utf8");

test("the ladder in the page before the core runs is exactly what the core draws", async () => {
  const held = prerendered(HTML);
  assert.ok(held?.startsWith("<svg"), "www/index.html holds a first ladder");
  const page = await env.newPage();
  await ready(page, env.base);
  const drawn = await page.evaluate(async ([scenario, opts]) => {
    const { Playground } = await import("/pkg/tcp_playground.js");
    const pg = Playground.fromScenario(scenario);
    pg.startAt("end");
    const svg = pg.ladderSvg(opts);
    pg.free();
    return svg;
  }, [FIRST_VIEW, FIRST_DRAW]);
  assert.equal(held, drawn, "stale: run tools/build-wasm.sh, then node tools/first-ladder.mjs");
  // Its look is inline too (the page's and the ladder's stylesheets as they are now), and
  // the page's policy lets exactly that apply (a refused style would be a console error).
  assert.equal(inlined(HTML), firstLook(), "stale look: run node tools/first-ladder.mjs");
  assert.ok(HTML.includes(`style-src 'self' ${styleSource(firstLook())};`), "the look's hash in the policy");
  // Once the core has drawn, its ladder is the one on show: the same arrows, one copy.
  assert.equal(await page.locator("tcp-playground > .first-ladder").count(), 0);
  const arrows = (html) => [...html.matchAll(/data-seg-id="(\d+)" data-flags="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
  const shown = await page.$$eval("#ladder [data-seg-id]", (gs) => gs.map((g) => `${g.dataset.segId} ${g.dataset.flags}`));
  assert.deepEqual(shown, arrows(held));
  assert.deepEqual(page.problems, []);
});

for (const [name, viewport] of [["a laptop", LAPTOP], ["a phone", PHONE]]) {
  test(`while the core loads, the home page shows its ladder above the fold on ${name}`, async () => {
    const page = await env.newPage({ viewport });
    // The WebAssembly is held back until the page has been looked at: what the reader sees
    // meanwhile is the page alone.
    let release;
    const held = new Promise((ok) => { release = ok; });
    await page.route("**/*.wasm", async (route) => { await held; await route.continue(); });
    await page.goto(env.base, { waitUntil: "domcontentloaded" });
    const arrows = page.locator('tcp-playground > .first-ladder [data-seg-id]');
    assert.ok(await arrows.count() >= 7, "the handshake and the close");
    const first = await arrows.first().boundingBox();
    assert.ok(first && first.y + first.height < viewport.height, `the first arrow is at ${first?.y}px`);
    const ladder = await page.locator("tcp-playground > .first-ladder").boundingBox();
    assert.ok(ladder.y < viewport.height / 3, `the ladder starts at ${ladder.y}px`);
    assert.ok(await page.locator("tcp-playground > .first-ladder").isVisible());
    release();
    await page.waitForSelector("#step:not([disabled])");
    assert.deepEqual(page.problems, []);
  });
}

test("the first ladder is painted in its own look and does not move when the widget and the core take over", async () => {
  for (const viewport of [LAPTOP, PHONE]) {
    // First as painted from the page alone (no script has run), then as the core draws it.
    const before = await env.newPage({ viewport });
    await before.route(/\.(js|wasm)$/, (route) => route.abort());
    await before.goto(env.base);
    const boxes = (page, sel) => page.locator(sel).evaluateAll((gs) => gs.map((g) => {
      const b = g.getBoundingClientRect();
      return [b.x, b.y, b.width, b.height].map(Math.round).join(",");
    }));
    // And painted in the ladder's own colours and type, not as bare SVG.
    const looks = (page, sel) => page.locator(sel).evaluateAll((gs) => gs.map((g) => {
      const line = getComputedStyle(g.querySelector(".seg-line")), label = getComputedStyle(g.querySelector(".seg-label"));
      return `${line.stroke} ${line.strokeWidth} ${label.fontFamily} ${label.fontSize}`;
    }));
    const painted = await boxes(before, "tcp-playground > .first-ladder [data-seg-id]");
    const paintedLooks = await looks(before, "tcp-playground > .first-ladder [data-seg-id]");
    await before.context().close();
    const after = await env.newPage({ viewport });
    await ready(after, env.base);
    const drawn = await boxes(after, "#ladder [data-seg-id]");
    assert.deepEqual(paintedLooks, await looks(after, "#ladder [data-seg-id]"), `${viewport.width}px: the first ladder's look`);
    assert.ok(!paintedLooks[0].startsWith("none"), paintedLooks[0]);
    await after.context().close();
    assert.equal(painted.length, 7);
    // Within a pixel: the two are laid out by different style sheets.
    const apart = painted.map((p, i) => Math.max(...p.split(",").map((v, k) => Math.abs(v - drawn[i].split(",")[k]))));
    assert.ok(Math.max(...apart) <= 1, `${viewport.width}px: arrows moved by ${apart.join(", ")} px (${painted[0]} then ${drawn[0]})`);
  }
});

test("with the core, the ladder stays above the fold and the controls are beside or under it", async () => {
  for (const viewport of [LAPTOP, PHONE]) {
    const page = await env.newPage({ viewport });
    await ready(page, env.base);
    const box = await page.locator("#ladder").boundingBox();
    assert.ok(box.y < viewport.height / 3, `${viewport.width}px: the ladder starts at ${box.y}px`);
    const arrow = await page.locator("#ladder [data-seg-id]").first().boundingBox();
    assert.ok(arrow.y + arrow.height < viewport.height, `${viewport.width}px: the first arrow is on the first screen`);
    const play = await page.locator("#play").boundingBox();
    if (viewport === LAPTOP) assert.ok(play.x > box.x + box.width - 1 && play.y < viewport.height, "Play is beside the ladder");
    // The legend opens from the ladder.
    await page.click("#legend-open");
    assert.ok(await page.locator("#legend .legend-item").count() >= 10);
    assert.equal(await page.getAttribute("#legend-open", "aria-expanded"), "true");
    assert.deepEqual(page.problems, []);
  }
});

test("how soon the first ladder is painted, against the first contentful paint (five cold loads)", async () => {
  // The ladder's first paint: the page's own ladder, as the Element Timing API reports its
  // first label painted; or, when the page had been parsed (its ladder in it, visible, as the
  // tests above show) before the first contentful paint, that paint, which drew the whole
  // page; or the frame that painted the core's ladder (inside the widget's Shadow DOM, which
  // Element Timing does not see). Whichever came first.
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const page = await env.newPage({ viewport: LAPTOP });
    await ready(page, env.base);
    const run = await page.evaluate(() => new Promise((done) => {
      const seen = { fcp: null, page: null };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.name === "first-contentful-paint") seen.fcp = e.startTime;
      }).observe({ type: "paint", buffered: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.identifier === "ladder") seen.page = e.renderTime || e.loadTime;
      }).observe({ type: "element", buffered: true });
      // Observers deliver buffered entries in a task of their own.
      setTimeout(() => {
        const core = performance.getEntriesByName("tcp-playground:first-ladder-frame")[0]?.startTime ?? null;
        const parsed = performance.getEntriesByType("navigation")[0].domInteractive;
        if (seen.page === null && parsed <= seen.fcp) seen.page = seen.fcp;
        done({ ...seen, core, parsed });
      }, 100);
    }));
    runs.push({ ...run, ladder: Math.min(run.page ?? Infinity, run.core ?? Infinity) });
    await page.context().close();
  }
  assert.ok(runs.every((r) => r.fcp > 0 && Number.isFinite(r.ladder)), JSON.stringify(runs));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = median(runs.map((r) => r.ladder));
  const ratio = median(runs.map((r) => r.ladder / r.fcp));
  const each = runs.map((r) => `${r.ladder.toFixed(0)} ms (${r.page === r.ladder ? "the page's" : "the core's"}; parsed at ${r.parsed.toFixed(0)}) / FCP ${r.fcp.toFixed(0)} ms`);
  console.log(`# first ladder painted ${ms.toFixed(0)} ms after navigation (median of 5 cold loads), ${ratio.toFixed(2)}× the first contentful paint (${median(runs.map((r) => r.fcp)).toFixed(0)} ms); each: ${each.join(", ")}`);
});

test("screenshots of the home page, an article and every preset, light and dark, laptop and phone", { timeout: 300_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  let presets = null;
  for (const colorScheme of ["light", "dark"]) {
    for (const viewport of [LAPTOP, PHONE]) {
      const tag = `${colorScheme}-${viewport.width}`;
      const page = await env.newPage({ viewport, colorScheme });
      await ready(page, env.base);
      await page.screenshot({ path: join(SCREENSHOTS, `home-${tag}.png`) });
      presets ??= await page.$$eval("#preset option", (os) => os.map((o) => o.value).filter((v) => v !== "custom"));
      for (const preset of presets) {
        await page.goto(`${env.base}#preset=${preset}`);
        await page.waitForFunction((name) => document.querySelector("tcp-playground").getAttribute("scenario") === `preset:${name}`
          && document.querySelector("tcp-playground").shadowRoot.querySelector("#ladder svg.ladder"), preset);
        await page.screenshot({ path: join(SCREENSHOTS, `preset-${preset}-${tag}.png`) });
      }
      await page.goto(`${env.base}learn/en/handshake.html`);
      await page.waitForFunction(() => [...document.querySelectorAll("tcp-playground")].every((w) => w.shadowRoot.querySelector("#ladder svg.ladder")));
      await page.screenshot({ path: join(SCREENSHOTS, `article-handshake-${tag}.png`) });
      assert.deepEqual(page.problems, [], tag);
      await page.context().close();
    }
  }
  assert.ok(presets.length >= 20);
  console.log(`# screenshots in ${SCREENSHOTS}: home, an article and ${presets.length} presets, light and dark, 1366 and 360 px`);
});
