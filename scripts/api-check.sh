#!/usr/bin/env bash
# The OpenAPI document against itself and against the running service:
#  1. openapi-spec-validator: openapi.yaml is valid OpenAPI 3.1; and what client generators need: every
#     operation has an operationId and a summary, the /v1/ ones (only) the bearer security scheme, every
#     field a description, and the finding codes are the service's own (its `enum FindingCode`), in order;
#  2. schemathesis: a live `pros-pricer serve` with an API key answers generated requests (valid and
#     invalid, with the key and, for its ignored_auth check, without) with no 5xx and only documented
#     statuses, content types and bodies.
# One check is left out, positive_data_acceptance: the schema cannot express the cross-field rules
# (a service dated inside the month, unique service ids, discharge after admission), so a schema-valid
# member-month may rightly get 422.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/pros-pricer}
EXAMPLES=${EXAMPLES:-100}
python3 -m pip install -q --disable-pip-version-check openapi-spec-validator pyyaml schemathesis >/dev/null 2>&1 \
  || python3 -m pip install --disable-pip-version-check openapi-spec-validator pyyaml schemathesis
python3 - <<'PY'
import re, yaml
from openapi_spec_validator import validate
doc = yaml.safe_load(open("openapi.yaml"))
validate(doc)
for path, ops in doc["paths"].items():
    for method, op in ops.items():
        assert op.get("operationId") and op.get("summary"), f"{method} {path}: operationId and summary"
        assert (op.get("security") == [{"bearerAuth": []}]) == path.startswith("/v1/"), f"{method} {path}: security"
assert doc["components"]["securitySchemes"]["bearerAuth"] == {**doc["components"]["securitySchemes"]["bearerAuth"],
                                                              "type": "http", "scheme": "bearer"}
def described(node, where):
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{where}/properties/{name} has no description"
        for k, v in node.items(): described(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node): described(v, f"{where}/{i}")
described(doc, "#")
codes = doc["components"]["schemas"]["FindingCode"]
import glob
enums = [m.group(1) for f in glob.glob("Sources/**/*.swift", recursive=True)
         for m in re.finditer(r"enum FindingCode\b[^{]*\{(.*?)\n\}", open(f).read(), re.S)]
assert len(enums) == 1, f"expected one enum FindingCode in Sources/, found {len(enums)}"
swift = re.findall(r'case \w+ = "([A-Z_]+)"', enums[0])
assert codes["enum"] == swift, f"FindingCode differs from the service's: {set(codes['enum']) ^ set(swift)}"
assert len(codes["x-enum-descriptions"]) == len(codes["enum"]), "one x-enum-description per finding code"
assert all(c in codes["description"] for c in codes["enum"]), "the description explains every finding code"
print("openapi.yaml: valid OpenAPI 3.1; operationIds, summaries, bearer security on /v1/, every field described,"
      f" {len(swift)} finding codes")
PY
[ -x "$BIN" ] || swift build --product pros-pricer
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KEY="api-check-$RANDOM$RANDOM"
PROS_PRICER_API_KEYS=$KEY "$BIN" serve --host 127.0.0.1 --port "$PORT" 2>/dev/null & PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do "$BIN" healthcheck --port "$PORT" 2>/dev/null && break; sleep 0.1; done
# The served document is the committed one.
curl -sS --fail "http://127.0.0.1:$PORT/openapi.yaml" | cmp - openapi.yaml
python3 -m schemathesis.cli run openapi.yaml -u "http://127.0.0.1:$PORT" -n "$EXAMPLES" --seed "${SEED:-20251001}" \
  -H "Authorization: Bearer $KEY" \
  --checks all --exclude-checks positive_data_acceptance --no-color 2>&1 | tail -25
test "${PIPESTATUS[0]}" -eq 0
