#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what it lacks, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
swift build --build-tests
swift test --skip-build "$@"
