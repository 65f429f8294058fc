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
# serve: a burst of SIGHUPs reloads without ending the process (every thread but the main one blocks
# signals; one that did not would take a SIGHUP while the main thread is busy reloading, and die of it);
# SIGTERM drains and exits 0, with every log line written out.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --host 127.0.0.1 --port $port 2> $tmp/serve.log & pid=$!
for _ in $(seq 50); do "$BIN" healthcheck --port $port 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do kill -HUP $pid; done
sleep 1
kill -0 $pid 2>/dev/null || fail "serve died of a burst of SIGHUPs"
"$BIN" healthcheck --port $port || fail "serve stopped answering after SIGHUPs"
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
grep -q '"msg":"config reload failed; keeping the loaded config","trigger":"config folder changed"' $tmp/watch.log \
  || fail "the refused reload must be logged: $(grep reload $tmp/watch.log | tail -2)"
kill -TERM $pid; wait $pid || fail "serve with configWatchMs must exit 0 on SIGTERM"
echo "cli-check: check-config, price, price --batch, serve under SIGHUP and SIGTERM, config watch," \
  "healthcheck: as documented"
