// The articles in Chromium: every page in both languages loads cleanly with live widgets,
// every internal link resolves, the language switch works and is remembered, every widget's
// scenario is linkable, and no page is wider than a phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, start } from "./browser.mjs";
import { ARTICLES } from "../../www/learn/articles.js";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const PAGES = ["en", "zh"].flatMap((lang) => ["index", ...ARTICLES.map((a) => a.slug)].map((slug) => `learn/${lang}/${slug}.html`));

/** Opens a page and waits until each of its widgets has drawn a ladder (or failed). */
async function open(page, path) {
  await page.goto(`${env.base}${path}`);
  await page.waitForFunction(() => [...document.querySelectorAll("tcp-playground")]
    .every((w) => w.shadowRoot.querySelector("#ladder svg.ladder") || w.shadowRoot.querySelector("#act-error:not([hidden])")));
}

test("every article, in both languages, loads with no errors and live widgets that can be shared", { timeout: 300_000 }, async () => {
  const page = await env.newPage();
  for (const path of PAGES) {
    await open(page, path);
    const widgets = await page.evaluate(async () => {
      const { Playground } = await import("/pkg/tcp_playground.js");
      return [...document.querySelectorAll("tcp-playground")].map((w) => {
        const error = w.shadowRoot.querySelector("#act-error");
        const link = w.shareLink();
        let opens = false;
        try {
          opens = Playground.openLink(link).text === w.playground.sourceText();
        } catch {
          // Stays false: the assertion below names the widget.
        }
        // Arrows drawn before any input: what happened (all of it, at the end where a widget
        // opens by default) and, for a widget that opens earlier, the rest of the run faded.
        const arrows = w.shadowRoot.querySelectorAll("#ladder svg.ladder .seg").length;
        return { id: w.id, scenario: (w.getAttribute("scenario") ?? "").slice(0, 60), error: error.hidden ? null : error.textContent, ladder: !!w.shadowRoot.querySelector("svg.ladder"), opens, arrows, capture: w.hasAttribute("capture"), observing: w.observing };
      });
    });
    const article = !path.endsWith("/index.html");
    if (article) assert.ok(widgets.length >= 3, `${path}: ${widgets.length} widgets`);
    for (const w of widgets) {
      assert.equal(w.error, null, `${path}: widget ${w.id || w.scenario}`);
      assert.ok(w.ladder, `${path}: widget ${w.id || w.scenario} has no ladder`);
      assert.ok(w.arrows > 0, `${path}: widget ${w.id || w.scenario} shows no arrow before any input`);
      // A widget that shows a real capture has no link to share; it must be showing it.
      if (w.capture) assert.ok(w.observing, `${path}: widget ${w.id || w.scenario} does not show its capture`);
      else assert.ok(w.opens, `${path}: widget ${w.id || w.scenario}'s link does not reopen its scenario`);
    }
    const lang = path.split("/")[1];
    assert.equal(await page.getAttribute("html", "lang"), lang);
    assert.ok((await page.locator("#learn-nav a").count()) === ARTICLES.length, `${path}: navigation`);
    assert.deepEqual(page.problems, [], path);
  }
  await open(page, "learn/en/syn-flood.html");
  await page.screenshot({ path: `${ARTIFACTS}learn-syn-flood.png`, fullPage: false });
  await open(page, "learn/zh/handshake.html");
  await page.screenshot({ path: `${ARTIFACTS}learn-zh-handshake.png`, fullPage: false });
});

// (A fragment that is a share link, `#v1=...` or `#preset=NAME`, is the page's to open, not a section.)
test("every internal link resolves, to a page and to the section it names", { timeout: 120_000 }, async () => {
  const page = await env.newPage();
  const checked = new Map();
  const broken = [];
  for (const path of PAGES) {
    await page.goto(`${env.base}${path}`);
    const links = await page.$$eval("a[href]", (as) => as.map((a) => a.href));
    for (const href of links) {
      const url = new URL(href);
      if (url.origin !== new URL(env.base).origin) continue;
      const target = url.href.split("#")[0];
      if (!checked.has(target)) {
        const res = await page.request.get(target);
        checked.set(target, res.ok() ? await res.text() : null);
      }
      const html = checked.get(target);
      if (html === null) broken.push(`${path} -> ${href}: not found`);
      else if (url.hash.length > 1 && !/^#(v\d+|preset)=/.test(url.hash)
        && !html.includes(`id="${decodeURIComponent(url.hash.slice(1))}"`)) {
        broken.push(`${path} -> ${href}: no such section`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked.size > PAGES.length, `${checked.size} pages checked`);
});

test("the language switch works, is remembered, and the first choice follows the browser", async () => {
  const reader = await env.newPage({ locale: "en-US" });
  await reader.goto(`${env.base}learn/`);
  await reader.waitForURL(/\/learn\/en\/index\.html$/);
  await reader.goto(`${env.base}learn/en/close.html`);
  await reader.click("#lang-switch a");
  await reader.waitForURL(/\/learn\/zh\/close\.html$/);
  assert.equal(await reader.getAttribute("html", "lang"), "zh");
  // Remembered: the articles' front door now opens in Chinese.
  await reader.goto(`${env.base}learn/`);
  await reader.waitForURL(/\/learn\/zh\/index\.html$/);

  const chinese = await env.newPage({ locale: "zh-CN" });
  await chinese.goto(`${env.base}learn/`);
  await chinese.waitForURL(/\/learn\/zh\/index\.html$/);
  assert.deepEqual(reader.problems, []);
  assert.deepEqual(chinese.problems, []);
});

test("on a phone, no article is wider than the screen", { timeout: 300_000 }, async () => {
  const page = await env.newPage({ viewport: { width: 360, height: 740 }, colorScheme: "dark" });
  const wide = [];
  for (const path of PAGES) {
    await open(page, path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 360) wide.push(`${path}: ${width} px`);
  }
  await open(page, "learn/en/states.html");
  await page.screenshot({ path: `${ARTIFACTS}learn-phone-dark.png` });
  assert.deepEqual(wide, []);
  assert.deepEqual(page.problems, []);
});
