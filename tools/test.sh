#!/usr/bin/env bash
# Installs what is missing and runs every test: formatting and lints, the native tests, the
# model against the real Linux kernel (tests/kernel), the wasm tests in headless Chromium,
# and the end-to-end tests of the page in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --test

echo "== format and lints"
cargo fmt --all --check
cargo clippy --locked --quiet --all-targets -- -D warnings
cargo clippy --locked --quiet -p tcp-playground --lib --target wasm32-unknown-unknown -- -D warnings
# The page's main module is built without the capture reader.
cargo clippy --locked --quiet -p tcp-playground --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

echo "== native tests"
cargo test --locked --quiet

echo "== the kernel as the oracle"
cargo build --release --locked --quiet
# Exit 3: no network namespaces here (not root, no `ip`); tolerated, banner and all, except in CI.
oracle=0
python3 tests/kernel/oracle.py || oracle=$?
if [ "$oracle" = 3 ] && [ -z "${CI:-}" ]; then
  echo "(the kernel oracle did not run here: see the banner above; CI requires it)"
elif [ "$oracle" != 0 ]; then
  exit "$oracle"
fi

echo "== wasm tests in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$PWD/target/tool/wasm-bindgen-test-runner" \
  cargo test --locked -p tcp-playground --target wasm32-unknown-unknown --test wasm

echo "== the page in Chromium"
tools/build-wasm.sh
node --test tests/e2e/
