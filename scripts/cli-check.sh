#!/usr/bin/env bash
# The command line as a billing manager uses it: help, version, exit codes and output of every
# subcommand (0 priced, 1 a batch with refused member-months, 2 invalid input, 64 usage, 66 missing
# input, 78 bad config).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/pros-pricer}
[ -x "$BIN" ] || swift build --product pros-pricer
tmp=$(mktemp -d); trap 'kill ${pid:-} 2>/dev/null || true; rm -rf $tmp' EXIT  # no serve left behind
fail() { echo "cli-check: $*" >&2; exit 1; }
# expect CODE CMD...: runs CMD (output in $tmp/out, $tmp/err) and checks its exit code.
expect() {
  local want=$1; shift
  local rc=0; "$@" > $tmp/out 2> $tmp/err || rc=$?
  [ $rc -eq "$want" ] || fail "$* exited $rc, not $want: $(head -c 300 $tmp/err)"
}

# Help on every subcommand: a description, the input formats, an example, the exit codes.
expect 0 "$BIN" --help
grep -q 'SUBCOMMANDS' $tmp/out && grep -q 'Exit codes' $tmp/out || fail "pros-pricer --help"
for sub in price serve check-config healthcheck bench; do
  expect 0 "$BIN" $sub --help
  grep -q 'Example' $tmp/out && grep -q 'Exit codes' $tmp/out && grep -qi 'input' $tmp/out || fail "$sub --help: $(head -3 $tmp/out)"
  expect 0 "$BIN" help $sub
done
expect 0 "$BIN" --version
grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' $tmp/out || fail "--version: $(cat $tmp/out)"
# Usage errors: 64, with the reason.
expect 64 "$BIN"
expect 64 "$BIN" frobnicate
expect 64 "$BIN" price --frobnicate
expect 64 "$BIN" healthcheck --port abc
grep -q "abc" $tmp/err || fail "healthcheck --port abc must say why"
expect 64 "$BIN" healthcheck --port 70000
expect 64 "$BIN" serve --port -1
expect 64 "$BIN" bench --months 0
expect 64 "$BIN" bench --months many
expect 64 "$BIN" price --batch --jobs 0 -
expect 64 "$BIN" price --batch --csv x.csv
expect 64 "$BIN" price --format xml -
expect 64 "$BIN" price --summary -

# check-config: 0, or 78 naming the file and the key.
expect 0 "$BIN" check-config config
grep -q '^ok: 1 rule sets' $tmp/out || fail "check-config of the shipped config"
cp -r config $tmp/bad
sed -i 's/"amount": "690.40"/"amount": "690.4.0"/' $tmp/bad/rates/example-provider-a.json
expect 78 "$BIN" check-config $tmp/bad
grep -q 'rates/example-provider-a.json' $tmp/err && grep -q '/rates/0/amount' $tmp/err || fail "check-config must name the file and key: $(cat $tmp/err)"

# price: one member-month (0, or 2 with the problem), from a file or stdin, in every format.
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"]))' Tests/PROSRulesTests/Fixtures/seed-ashley.json > $tmp/ashley.json
expect 0 "$BIN" price $tmp/ashley.json
grep -q '"total":"1187.21"' $tmp/out || fail "price of the seed example"
"$BIN" price - < $tmp/ashley.json | grep -q '"total":"1187.21"' || fail "price from stdin"
expect 0 "$BIN" price --format pretty $tmp/ashley.json
grep -q '^  "total": "1187.21",$' $tmp/out || fail "--format pretty"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' $tmp/out || fail "--format pretty is not JSON"
expect 0 "$BIN" price --format table $tmp/ashley.json
grep -Eq '^  base.*4517.*H2019.*U2.*21.*690\.40$' $tmp/out && grep -Eq 'total +1187\.21$' $tmp/out || fail "--format table: $(cat $tmp/out)"
expect 0 "$BIN" price --format csv $tmp/ashley.json
[ "$(head -1 $tmp/out)" = $'memberId,month,dateOfService,kind,rateCode,procedureCode,modifiers,units,amount,findings\r' ] || fail "--format csv header"
grep -q '^SEED-ASHLEY,2025-05,2025-05-31,addOn,4526,H2018,HE,3,496.81,' $tmp/out || fail "--format csv: $(cat $tmp/out)"
echo '{"memberId":"M"}' > $tmp/badmonth.json
expect 2 "$BIN" price $tmp/badmonth.json
grep -q '"status":422' $tmp/out || fail "a bad month must exit 2 with a 422 problem"
expect 66 "$BIN" price $tmp/missing.json
expect 78 "$BIN" price --config $tmp/bad $tmp/ashley.json

# price --batch: one answer per line, 1 when any line was refused, the summary on stderr.
{ cat $tmp/ashley.json; echo '{bad'; cat $tmp/ashley.json; } > $tmp/batch.ndjson  # each line ends in \n
expect 1 "$BIN" price --batch $tmp/batch.ndjson
[ "$(wc -l < $tmp/out)" -eq 3 ] && sed -n 2p $tmp/out | grep -q '^{"line":2,"error"' || fail "price --batch: $(cut -c1-80 $tmp/out)"
for i in $(seq 500); do cat $tmp/ashley.json; done > $tmp/many.ndjson
expect 0 "$BIN" price --batch --jobs 2 --summary $tmp/many.ndjson
[ "$(wc -l < $tmp/out)" -eq 500 ] && [ "$(sed -n 500p $tmp/out | cut -c1-12)" = '{"line":500,' ] || fail "--jobs 2 must keep the order"
grep -q '500 read, 500 priced, 0 refused' $tmp/err && grep -Eq '^total +593605\.00$' $tmp/err || fail "--summary: $(cat $tmp/err)"
expect 1 "$BIN" price --batch - < <(echo '{"memberId":1}')

# price --csv: the example export (40 members, a few rows to fix) answered per member-month.
expect 1 "$BIN" price --csv examples/billing-export.csv --summary
[ "$(wc -l < $tmp/out)" -eq 44 ] || fail "price --csv: one answer per member-month"
grep -q '44 read, 41 priced, 3 refused' $tmp/err || fail "price --csv --summary: $(head -2 $tmp/err)"
grep -q '"memberId":"M-400001","month":"2025-06","rows":\[[0-9,]*\],"error"' $tmp/out || fail "the bad member-month"
grep -q '{"row":[0-9]*,"column":"minutes"' $tmp/out || fail "errors name the row and column"
expect 1 "$BIN" price --csv - --format csv < examples/billing-export.csv
grep -q '^M-300103,2025-06,2025-06-30,none,,,,,,PREADMISSION_CONSECUTIVE_LIMIT' $tmp/out || fail "the third pre-admission month"
grep -q '^M-300103,2025-05,2025-05-31,preadmission,4510,H0002,HE,1,' $tmp/out || fail "the second pre-admission month"
expect 1 "$BIN" price --csv examples/billing-export.csv --format table
grep -A4 '^M-300103  2025-06' $tmp/out | grep -q 'nothing is billable' && grep -q '^  row 4, minutes: ' $tmp/out \
  || fail "price --csv --format table: $(grep -A4 '^M-300103  2025-06' $tmp/out)"
printf 'memberId,date\nM,2025-05-01\n' > $tmp/noheader.csv
expect 2 "$BIN" price --csv $tmp/noheader.csv
grep -q '"column":"component"' $tmp/out || fail "a missing column"
expect 66 "$BIN" price --csv $tmp/missing.csv

# healthcheck and serve: a burst of SIGHUPs reloads without ending the process (every thread but the
# main one blocks signals; one that did not would take a SIGHUP while the main thread is busy reloading,
# and die of it); SIGTERM drains and exits 0, with every log line written out.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 1 "$BIN" healthcheck --port $port
PROS_PRICER_PORT=x expect 78 "$BIN" healthcheck
"$BIN" serve --host 127.0.0.1 --port $port 2> $tmp/serve.log & pid=$!
for _ in $(seq 50); do "$BIN" healthcheck --port $port 2>/dev/null && break; sleep 0.1; done
expect 78 "$BIN" serve --host 127.0.0.1 --port $port   # the port is taken
for _ in $(seq 100); do kill -HUP $pid; done
sleep 1
kill -0 $pid 2>/dev/null || fail "serve died of a burst of SIGHUPs"
"$BIN" healthcheck --port $port || fail "serve stopped answering after SIGHUPs"
PROS_PRICER_PORT=$port expect 0 "$BIN" healthcheck
kill -TERM $pid; rc=0; wait $pid || rc=$?
[ $rc -eq 0 ] || fail "SIGTERM must exit 0 (exit $rc)"
grep -q '"msg":"config reloaded"' $tmp/serve.log && tail -1 $tmp/serve.log | grep -q '"msg":"stopped"' || fail "serve's log: $(tail -3 $tmp/serve.log)"
# serve with configWatchMs on a ConfigMap-style folder (what the kubelet writes: files in a hidden
# timestamped folder, ..data pointing at it, the visible names through ..data; an update swaps ..data in one
# rename and sends no signal): a good config is reloaded, a bad one refused and counted, the old one kept.
# healthcheck reads the same settings as serve: here the port comes from server.json, not from a flag.
cm=$tmp/configmap; mkdir -p $cm
publish() {  # publish VERSION RATES_FILE
  mkdir -p $cm/..$1/rules $cm/..$1/rates
  cp config/rules/*.json $cm/..$1/rules/; cp "$2" $cm/..$1/rates/example-provider-a.json
  ln -sfn ..$1 $cm/..data_tmp && mv -T $cm/..data_tmp $cm/..data
}
cp config/rates/example-provider-a.json $tmp/rates-good.json
sed 's/"amount": "690.40"/"amount": "700.00"/' config/rates/example-provider-a.json > $tmp/rates-raised.json
publish v1 $tmp/rates-good.json; ln -s ..data/rules $cm/rules; ln -s ..data/rates $cm/rates
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '{"host": "127.0.0.1", "port": %s}\n' $port > $cm/..v1/server.json; ln -s ..data/server.json $cm/server.json
PROS_PRICER_CONFIG=$cm "$BIN" healthcheck 2>/dev/null && fail "healthcheck passed with nothing listening on $port"
PROS_PRICER_CONFIG=$cm PROS_PRICER_CONFIG_WATCH_MS=100 "$BIN" serve 2> $tmp/watch.log & pid=$!
ok=0; for _ in $(seq 50); do PROS_PRICER_CONFIG=$cm "$BIN" healthcheck 2>/dev/null && { ok=1; break; }; sleep 0.1; done
[ $ok = 1 ] || fail "healthcheck must probe the port set in server.json ($port): $(tail -2 $tmp/watch.log)"
price() {
  curl -sS "http://127.0.0.1:$port/v1/claims/price" -H 'Content-Type: application/json' --data-binary @$tmp/ashley.json
}
reloads() { curl -sS "http://127.0.0.1:$port/metrics" | grep -c "pros_config_reloads_total{result=\"$1\"} 1" || true; }
price | grep -q '"total":"1187.21"' || fail "the watched config prices the seed example"
cp -r $cm/..v1 $cm/..v2; rm $cm/..v2/rates/example-provider-a.json; publish v2 $tmp/rates-raised.json
for _ in $(seq 50); do [ "$(reloads ok)" = 1 ] && break; sleep 0.1; done
price | grep -q '"total":"1196.81"' || fail "a ConfigMap-style swap must reload the config without a signal"
cp -r $cm/..v2 $cm/..v3; rm $cm/..v3/rates/example-provider-a.json; publish v3 $tmp/bad/rates/example-provider-a.json
for _ in $(seq 50); do [ "$(reloads error)" = 1 ] && break; sleep 0.1; done
[ "$(reloads error)" = 1 ] || fail "a bad swapped-in config must be refused and counted"
price | grep -q '"total":"1196.81"' || fail "a refused config must keep the loaded one"
grep '"msg":"config reload failed; keeping the loaded config"' $tmp/watch.log \
  | grep -q '"trigger":"config folder changed"' \
  || fail "the refused reload must be logged: $(grep reload $tmp/watch.log | tail -2)"
kill -TERM $pid; wait $pid || fail "serve with configWatchMs must exit 0 on SIGTERM"
echo "cli-check: help, version, usage errors, check-config, price (JSON, NDJSON, CSV; every format;" \
  "summaries), healthcheck (server.json's port), serve under SIGHUP and SIGTERM, config watch: as documented"
