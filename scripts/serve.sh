#!/usr/bin/env bash
# Runs the service on its built-in default config (port 8080, or $PORT): installs what it lacks first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --service  # zlib only: libcurl is for the tests
swift build -c release --product pros-pricer
exec .build/release/pros-pricer serve "$@"
