#!/usr/bin/env bash
# Builds the WebAssembly core into www/pkg/: cargo (wasm profile) -> wasm-bindgen -> wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet -p tcp-playground --lib --target wasm32-unknown-unknown --profile wasm
rm -rf www/pkg
target/tool/wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  target/wasm32-unknown-unknown/wasm/tcp_playground.wasm
# binaryen from npm: Debian's older wasm-opt writes modules that fail to load (TOOLCHAIN.md).
node_modules/.bin/wasm-opt -O3 www/pkg/tcp_playground_bg.wasm -o www/pkg/tcp_playground_bg.wasm
cp crate/src/ladder/ladder.css www/pkg/ladder.css
echo "built www/pkg: $(wc -c < www/pkg/tcp_playground_bg.wasm) bytes of wasm ($(gzip -9c www/pkg/tcp_playground_bg.wasm | wc -c) gzipped)"
