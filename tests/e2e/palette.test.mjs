// The ladder's colours, read from its stylesheet, as readers with colour-blindness see them:
// each colour simulated for deuteranopia and protanopia (Machado, Oliveira and Fernandes 2009,
// full severity, in linear RGB), then compared in CIELAB (ΔE*ab). Light and dark alike:
// - the five segment families stay apart from each other, and each keeps the contrast of
//   text against the paper (their labels are drawn in their colour);
// - the hosts' colours (a host's name, its lifeline, the dot its segments leave from) stay
//   far apart from each other, and the names keep the contrast of text.
// The closest pairs are printed: the README quotes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const CSS = readFileSync(new URL("../../crate/src/ladder/ladder.css", import.meta.url), "utf8");
const FAMILIES = ["syn", "ack", "fin", "rst", "data"];
const HOSTS = ["host-0", "host-1", "host-2"];

/** The `--ladder-NAME: #rrggbb` properties of the first `.ladder { … }` block in `css`. */
function colours(css) {
  const block = /\.ladder\s*\{([^}]*)\}/.exec(css)[1];
  return Object.fromEntries([...block.matchAll(/--ladder-([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}
const light = colours(CSS);
const dark = { ...light, ...colours(CSS.slice(CSS.indexOf("prefers-color-scheme: dark"))) };

const MACHADO = {
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
};
const VISIONS = ["typical", ...Object.keys(MACHADO)];

const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const rgb = (hex) => [1, 3, 5].map((i) => linear(parseInt(hex.slice(i, i + 2), 16) / 255));
const clamp = (x) => Math.min(1, Math.max(0, x));
function seen(hex, vision) {
  const c = rgb(hex);
  const m = MACHADO[vision];
  return m ? m.map((row) => clamp(row[0] * c[0] + row[1] * c[1] + row[2] * c[2])) : c;
}
function lab([r, g, b]) {
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}
const deltaE = (a, b) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
function contrast(a, b) {
  const lum = (hex) => { const [r, g, bl] = rgb(hex); return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
  const [hi, lo] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

/** The closest two of `names` in `palette`, over every kind of vision. */
function closest(palette, names) {
  let best = { distance: Infinity };
  for (const vision of VISIONS) {
    for (const [i, a] of names.entries()) {
      for (const b of names.slice(i + 1)) {
        const distance = deltaE(seen(palette[a], vision), seen(palette[b], vision));
        if (distance < best.distance) best = { distance, pair: `${a}/${b}`, vision };
      }
    }
  }
  return best;
}

for (const [mode, palette] of [["light", light], ["dark", dark]]) {
  test(`${mode}: the segment families stay apart with deuteranopia and protanopia, and read against the paper`, () => {
    for (const name of [...FAMILIES, "paper"]) assert.match(palette[name] ?? "", /^#/, `--ladder-${name} in ${mode}`);
    const near = closest(palette, FAMILIES);
    const low = Math.min(...FAMILIES.map((f) => contrast(palette[f], palette.paper)));
    console.log(`# ${mode}: closest families ${near.pair} ΔE ${near.distance.toFixed(1)} (${near.vision}); lowest contrast ${low.toFixed(2)}:1`);
    assert.ok(near.distance >= 15, `${near.pair} only ΔE ${near.distance.toFixed(1)} apart for ${near.vision}`);
    assert.ok(low >= 4.4, `a family at ${low.toFixed(2)}:1 against the paper`);
  });

  test(`${mode}: each host's colour stays far from the others' with deuteranopia and protanopia, its name readable`, () => {
    for (const name of HOSTS) assert.match(palette[name] ?? "", /^#/, `--ladder-${name} in ${mode}`);
    const near = closest(palette, HOSTS);
    const low = Math.min(...HOSTS.map((h) => contrast(palette[h], palette.paper)));
    console.log(`# ${mode}: closest hosts ${near.pair} ΔE ${near.distance.toFixed(1)} (${near.vision}); lowest contrast ${low.toFixed(2)}:1`);
    assert.ok(near.distance >= 25, `${near.pair} only ΔE ${near.distance.toFixed(1)} apart for ${near.vision}`);
    assert.ok(low >= 4.5, `a host's name at ${low.toFixed(2)}:1 against the paper`);
  });
}

test("the simulation is the published one: pure red and green, apart for most, nearly one colour for deuteranopia", () => {
  const typical = deltaE(seen("#ff0000", "typical"), seen("#00ff00", "typical"));
  const deutan = deltaE(seen("#ff0000", "deuteranopia"), seen("#00ff00", "deuteranopia"));
  assert.ok(typical > 100 && deutan < typical / 3, `${typical} vs ${deutan}`);
  assert.equal(Math.round(contrast("#000000", "#ffffff")), 21);
});
