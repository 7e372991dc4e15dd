#!/usr/bin/env bash
# Builds the WebAssembly core: cargo (wasm profile) -> wasm-bindgen -> wasm-opt, twice:
# www/pkg/ is what every page loads; www/pkg-capture/ adds the capture reader (the `capture`
# feature) and is loaded only when a reader opens a pcap or pcapng file.
set -euo pipefail
cd "$(dirname "$0")/.."

# build OUT_DIR [CARGO_ARGS...]
build() {
  local out=$1
  shift
  cargo build --locked --quiet -p tcp-playground --lib --target wasm32-unknown-unknown --profile wasm "$@"
  rm -rf "$out"
  target/tool/wasm-bindgen --target web --no-typescript --out-dir "$out" \
    target/wasm32-unknown-unknown/wasm/tcp_playground.wasm
  # The glue repeats each binding's Rust doc comment as JSDoc: a third of its gzipped size,
  # which every page would load. The docs stay in wasm.rs and README's API section.
  node -e 'const fs = require("fs"), f = process.argv[1];
    fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace(/^[ \t]*\/\*\*\n(?:[ \t]*\*(?!\/).*\n)*[ \t]*\*\/\n/gm, ""));' \
    "$out/tcp_playground.js"
  # binaryen from npm: Debian's older wasm-opt writes modules that fail to load (TOOLCHAIN.md).
  # --converge repeats the passes while they still shrink the module.
  node_modules/.bin/wasm-opt -O3 --converge "$out/tcp_playground_bg.wasm" -o "$out/tcp_playground_bg.wasm"
  echo "built $out: $(wc -c < "$out/tcp_playground_bg.wasm") bytes of wasm ($(gzip -9c "$out/tcp_playground_bg.wasm" | wc -c) gzipped)"
}

build www/pkg --no-default-features
cp crate/src/ladder/ladder.css www/pkg/ladder.css
# The widget's words: its part of each language's word table (crate/src/words/LANG.json),
# as one module per language and an index that imports them all (the widget may change its
# language at any moment, so it has every table at hand, as it had before the tables moved).
node -e 'const fs = require("fs"), dir = "crate/src/words", out = "www/pkg/words";
  fs.mkdirSync(out, { recursive: true });
  const langs = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  const note = (what) => `// Generated from ${what} by tools/build-wasm.sh.\n`;
  for (const lang of langs) {
    const table = JSON.parse(fs.readFileSync(`${dir}/${lang}.json`, "utf8"));
    fs.writeFileSync(`${out}/${lang}.js`, `${note(`${dir}/${lang}.json`)}export default ${JSON.stringify(table.widget)};\n`);
  }
  const imports = langs.map((l) => `import ${l} from "./${l}.js";\n`).join("");
  fs.writeFileSync(`${out}/index.js`, `${note(dir)}${imports}export default { ${langs.join(", ")} };\n`);'
build www/pkg-capture
# What a page that embeds the widget loads (README, "Speed and size"; its budget is 250 KB).
page=(www/pkg/tcp_playground_bg.wasm www/pkg/tcp_playground.js www/pkg/words/*.js www/pkg/ladder.css
  www/widget/tcp-playground.js www/widget/i18n.js www/widget/state-panel.js www/widget/widget.css)
total=0
for f in "${page[@]}"; do total=$((total + $(gzip -9c "$f" | wc -c))); done
echo "a page with the widget loads $total bytes gzipped (${#page[@]} files)"
