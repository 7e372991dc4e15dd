// Draws the home page's first ladder with the WebAssembly core (as the widget's first draw
// draws it) and writes it into www/index.html, so the ladder is painted with the page's first
// paint, before the core has loaded. `node tools/first-ladder.mjs` rewrites the page;
// `--check` only says whether the page holds what the core draws now (the browser tests
// compare the two as well). Run it after tools/build-wasm.sh whenever the ladder changes.
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

/** The ladder the widget draws first for the home page. */
export function firstLadder() {
  initSync({ module: readFileSync(new URL("www/pkg/tcp_playground_bg.wasm", root)) });
  const pg = Playground.fromScenario(FIRST_VIEW);
  pg.startAt("end");
  const svg = pg.ladderSvg(FIRST_DRAW);
  pg.free();
  return svg;
}

/** The ladder www/index.html holds, or null. */
export function prerendered(html) {
  const at = html.indexOf(START);
  const end = html.indexOf(END);
  return at < 0 || end < at ? null : html.slice(at + START.length, end);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const html = readFileSync(page, "utf8");
  const svg = firstLadder();
  const held = prerendered(html);
  if (process.argv.includes("--check")) {
    console.log(held === svg ? "www/index.html holds the core's first ladder" : "www/index.html's first ladder is stale: run node tools/first-ladder.mjs");
    process.exit(held === svg ? 0 : 1);
  }
  const block = `${START}${svg}${END}`;
  const next = held === null
    ? html.replace("<!-- FIRST LADDER -->", block)
    : html.replace(`${START}${held}${END}`, block);
  if (next === html && held !== svg) throw new Error("www/index.html has no place for the first ladder");
  writeFileSync(page, next);
  console.log(`www/index.html: the first ladder, ${svg.length} bytes`);
}
