#!/usr/bin/env bash
# The whole test suite, on a fresh machine (installs what it lacks):
#  1. swift test: the rules, the HTTP parser and gzip; libcurl integration tests of the live service;
#  2. scripts/api-check.sh: openapi.yaml is valid OpenAPI 3.1, and schemathesis finds no 5xx and no
#     undocumented answer from a live server;
#     scripts/cli-check.sh: check-config and price, exit codes and output;
#     scripts/web-check.py: the web page (GET /) in headless Chromium (installs chromium, chromium-driver, selenium);
#  3. scripts/fuzz.sh: short bounded libFuzzer runs of the HTTP parser, the connection state machine,
#     the member-month decoder and the CSV reader with billing exports;
#  4. scripts/dockerfile-steps.py: the Dockerfile's build and start steps, run outside Docker;
#     scripts/deploy-check.sh: the Kubernetes manifests (kubernetes-validate, checkov, hadolint, the pod
#     started as the kubelet would start it).
#  5. swift format lint --strict over Sources and Tests (.swift-format), and scripts/readme-check.py: every
#     curl and pros-pricer command of the README, run as written against a live server.
# QUICK=1 runs step 1 only. Arguments go to `swift test` (for example --filter ServiceTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh curl
swift build --build-tests
swift test --skip-build "$@"
[ "${QUICK:-0}" = 1 ] && exit 0
scripts/api-check.sh
scripts/cli-check.sh
python3 scripts/web-check.py
scripts/fuzz.sh http "${FUZZ_SECONDS:-30}"
scripts/fuzz.sh connection "${FUZZ_SECONDS:-30}"
scripts/fuzz.sh decoder "${FUZZ_SECONDS:-30}"
scripts/fuzz.sh csv "${FUZZ_SECONDS:-30}"
python3 scripts/dockerfile-steps.py
scripts/deploy-check.sh
swift format lint --strict --recursive Sources Tests
python3 scripts/readme-check.py
echo "all tests passed"
