#!/usr/bin/env bash
# Builds what is needed and serves the site on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build-wasm.sh
exec node tools/serve.mjs
