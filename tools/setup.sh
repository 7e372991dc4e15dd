#!/usr/bin/env bash
# Installs what building needs, and with --test what testing needs too, skipping whatever is
# already there: Debian packages (Node.js; for tests Chromium with its driver, tshark, and
# iproute2 for the kernel oracle), the wasm32 Rust target, the npm packages, and the
# wasm-bindgen tools built from this workspace's lock.
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=0
[ "${1:-}" = "--test" ] && for_tests=1

missing=()
command -v cc >/dev/null || missing+=(gcc libc6-dev)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "$for_tests" = 1 ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v tshark >/dev/null || missing+=(tshark)
  # The kernel oracle (tests/kernel/oracle.py): network namespaces, sysctls, captures with
  # dumpcap (tshark depends on wireshark-common, which has it), Python's standard library.
  command -v ip >/dev/null || missing+=(iproute2)
  command -v sysctl >/dev/null || missing+=(procps)
  command -v dumpcap >/dev/null || missing+=(wireshark-common)
  command -v python3 >/dev/null || missing+=(python3)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null || { echo "setup: need ${missing[*]}, and apt-get is not here" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: Rust is missing; install it with rustup first" >&2; exit 1; }
if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# wasm-bindgen and its test runner, at exactly the version the crate uses (a no-op once built).
cargo build --locked --quiet --profile tool -p wasm-bindgen-tools
