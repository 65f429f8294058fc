#!/usr/bin/env bash
# The command line as a billing manager uses it: exit codes and output of check-config and price.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/pros-pricer}
[ -x "$BIN" ] || swift build --product pros-pricer
tmp=$(mktemp -d); trap 'rm -rf $tmp' EXIT
fail() { echo "cli-check: $*" >&2; exit 1; }

"$BIN" check-config config | grep -q '^ok: 1 rule sets' || fail "check-config of the shipped config"
cp -r config $tmp/bad
sed -i 's/"amount": "690.40"/"amount": "690.4.0"/' $tmp/bad/rates/example-provider-a.json
if "$BIN" check-config $tmp/bad 2> $tmp/err; then fail "a bad amount passed check-config"; fi
grep -q 'rates/example-provider-a.json' $tmp/err && grep -q '/rates/0/amount' $tmp/err || fail "check-config must name the file and key: $(cat $tmp/err)"

python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"]))' Tests/PROSRulesTests/Fixtures/seed-ashley.json > $tmp/ashley.json
"$BIN" price $tmp/ashley.json | grep -q '"total":"1187.21"' || fail "price of the seed example"
"$BIN" price - < $tmp/ashley.json | grep -q '"total":"1187.21"' || fail "price from stdin"
rc=0; echo '{"memberId":"M"}' | "$BIN" price - > $tmp/out || rc=$?
[ $rc -eq 2 ] && grep -q '"status":422' $tmp/out || fail "a bad month must exit 2 with a 422 problem (exit $rc)"
{ cat $tmp/ashley.json; echo '{bad'; cat $tmp/ashley.json; } > $tmp/batch.ndjson  # each line ends in \n
"$BIN" price --batch $tmp/batch.ndjson > $tmp/out
[ "$(wc -l < $tmp/out)" -eq 3 ] && sed -n 2p $tmp/out | grep -q '^{"line":2,"error"' || fail "price --batch: $(cut -c1-80 $tmp/out)"
"$BIN" price --config $tmp/bad $tmp/ashley.json > /dev/null 2>&1 && fail "price with a bad --config must fail"
echo "cli-check: check-config, price, price --batch: as documented"
