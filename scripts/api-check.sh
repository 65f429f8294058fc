#!/usr/bin/env bash
# The OpenAPI document against itself and against the running service:
#  1. openapi-spec-validator: openapi.yaml is valid OpenAPI 3.1;
#  2. schemathesis: a live `pros-pricer serve` answers generated requests (valid and invalid) with no 5xx
#     and only documented statuses, content types and bodies.
# One check is left out, positive_data_acceptance: the schema cannot express the cross-field rules
# (a service dated inside the month, unique service ids, discharge after admission), so a schema-valid
# member-month may rightly get 422.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/pros-pricer}
EXAMPLES=${EXAMPLES:-100}
python3 -m pip install -q --disable-pip-version-check openapi-spec-validator pyyaml schemathesis >/dev/null 2>&1 \
  || python3 -m pip install --disable-pip-version-check openapi-spec-validator pyyaml schemathesis
python3 -c "from openapi_spec_validator import validate; import yaml; validate(yaml.safe_load(open('openapi.yaml'))); print('openapi.yaml: valid OpenAPI 3.1')"
[ -x "$BIN" ] || swift build --product pros-pricer
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --host 127.0.0.1 --port "$PORT" 2>/dev/null & PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do "$BIN" healthcheck --port "$PORT" 2>/dev/null && break; sleep 0.1; done
# The served document is the committed one.
curl -sS --fail "http://127.0.0.1:$PORT/openapi.yaml" | cmp - openapi.yaml
python3 -m schemathesis.cli run openapi.yaml -u "http://127.0.0.1:$PORT" -n "$EXAMPLES" --seed "${SEED:-20251001}" \
  --checks all --exclude-checks positive_data_acceptance --no-color 2>&1 | tail -25
test "${PIPESTATUS[0]}" -eq 0
