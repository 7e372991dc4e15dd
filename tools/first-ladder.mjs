// Draws the home page's first ladder with the WebAssembly core (as the widget's first draw
// draws it) and writes it into www/index.html, with the page's and the ladder's stylesheets
// inlined (and their hash in the page's Content-Security-Policy), so that the styled ladder
// is painted with the page's first paint, before the core has loaded, without waiting for a
// stylesheet. `node tools/first-ladder.mjs` rewrites the page; `--check` only says whether the
// page holds what the core draws and the stylesheets say now (the browser tests compare them
// as well). Run it after tools/build-wasm.sh whenever the ladder, www/style.css or
// crate/src/ladder/ladder.css changes.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Playground } from "../www/pkg/tcp_playground.js";

const root = new URL("../", import.meta.url);
const page = new URL("www/index.html", root);
/** What the page opens on (its main widget's `scenario`, which app.js reads too) and the
 * widget's first-draw options. */
export const FIRST_VIEW = /<tcp-playground id="main" scenario="([^"]+)"/.exec(readFileSync(page, "utf8"))[1];
export const FIRST_DRAW = { absolute: false, showNow: false, lang: "", elementTiming: "ladder" };
const START = '<div slot="ladder" class="first-ladder">';
const END = "</div><!-- the first ladder: tools/first-ladder.mjs -->";

const STYLE_START = '<style id="first-look">';
const STYLE_END = "</style><!-- the first look: tools/first-ladder.mjs -->";

/** The home page's look: its own stylesheet, then the ladder's (as the widget links it). */
export function firstLook() {
  return ["www/style.css", "crate/src/ladder/ladder.css"].map((f) => readFileSync(new URL(f, root), "utf8")).join("\n");
}

/** What `html` holds between the markers `start` and `end`, or null. */
function between(html, start, end) {
  const at = html.indexOf(start);
  const to = html.indexOf(end);
  return at < 0 || to < at ? null : html.slice(at + start.length, to);
}

/** The stylesheet www/index.html holds inline, or null. */
export const inlined = (html) => between(html, STYLE_START, STYLE_END);

/** The ladder www/index.html holds, or null. */
export const prerendered = (html) => between(html, START, END);

/** The Content-Security-Policy source that lets the page apply `css` inline. */
export function styleSource(css) {
  return `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
}

/** The page with `css` inline and allowed by its policy (style-src 'self' and its hash). */
function withLook(html, css) {
  const held = inlined(html);
  if (held === null) throw new Error(`www/index.html has no ${STYLE_START}…${STYLE_END}`);
  return html
    .replace(`${STYLE_START}${held}${STYLE_END}`, `${STYLE_START}${css}${STYLE_END}`)
    .replace(/style-src 'self'[^;"]*/, `style-src 'self' ${styleSource(css)}`);
}

/** The ladder the widget draws first for the home page. */
export function firstLadder() {
  initSync({ module: readFileSync(new URL("www/pkg/tcp_playground_bg.wasm", root)) });
  const pg = Playground.fromScenario(FIRST_VIEW);
  pg.startAt("end");
  const svg = pg.ladderSvg(FIRST_DRAW);
  pg.free();
  return svg;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const html = readFileSync(page, "utf8");
  const svg = firstLadder();
  const held = prerendered(html);
  if (held === null) throw new Error(`www/index.html has no ${START}…${END}`);
  const next = withLook(html.replace(`${START}${held}${END}`, `${START}${svg}${END}`), firstLook());
  if (process.argv.includes("--check")) {
    const fresh = next === html;
    console.log(fresh ? "www/index.html holds the core's first ladder and the first look" : "www/index.html's first ladder or look is stale: run node tools/first-ladder.mjs");
    process.exit(fresh ? 0 : 1);
  }
  writeFileSync(page, next);
  console.log(`www/index.html: the first ladder, ${svg.length} bytes; the first look, ${firstLook().length} bytes`);
}
