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
build www/pkg-capture
