#!/usr/bin/env bash
# Benchmarks over HTTP with wrk: our /healthz and priced member-months, and nginx serving a fixed
# response on the same machine in the same run. Prints requests/s, latency and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh wrk nginx-light
swift build -c release --product pros-pricer >/dev/null
PORT=18181; NGINX_PORT=18182; D=${DURATION:-10s}; C=${CONNECTIONS:-32}
# wrk's own threads share the 2 cores with the server: one (the default) leaves the server its share;
# WRK_THREADS=2 puts four busy threads on two cores, and every server's p99 (nginx's too) grows to 4-7 ms.
WT=${WRK_THREADS:-1}; REPEAT=${REPEAT:-3}
# Access logs off on both sides (nginx: access_log off), so the figures compare the HTTP work; the
# service's default logs one JSON line per request (see the README for its cost).
PROS_PRICER_ACCESS_LOG=false .build/release/pros-pricer serve --port $PORT 2>/dev/null & PID=$!
tmp=$(mktemp -d)
cat > $tmp/nginx.conf <<NGX
worker_processes 2; pid $tmp/nginx.pid; error_log $tmp/error.log; daemon off;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$NGINX_PORT; location / { return 200 '{"status":"ok"}'; } } }
NGX
nginx -c $tmp/nginx.conf & NPID=$!
trap 'kill $PID $NPID 2>/dev/null; rm -rf $tmp' EXIT
sleep 1
.build/release/pros-pricer bench --sample --months 7 > $tmp/month.json
.build/release/pros-pricer bench --sample --compact --months 7 > $tmp/compact.json
for m in month compact; do
cat > $tmp/$m.lua <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/$m.json"); wrk.body = f:read("*a"); f:close()
LUA
done
# Batches of 50 different months, one per NDJSON line, as a billing run sends them.
BATCH=${BATCH:-50}
for i in $(seq 0 $((BATCH - 1))); do .build/release/pros-pricer bench --sample --months $i | tr -d '\n'; echo; done > $tmp/batch.ndjson
for i in $(seq 0 $((BATCH - 1))); do .build/release/pros-pricer bench --sample --compact --months $i | tr -d '\n'; echo; done > $tmp/batch-compact.ndjson
for m in batch batch-compact; do
cat > $tmp/$m.lua <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/x-ndjson"
local f = io.open("$tmp/$m.ndjson"); wrk.body = f:read("*a"); f:close()
LUA
done
# Prints requests/s, p50 and p99; leaves requests/s in $tmp/rps.
run() {
  wrk -t$(( C < WT ? C : WT )) -c$C -d$D --latency "$@" > $tmp/wrk.txt
  awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END {printf "  %.0f req/s, p50 %s, p99 %s\n", rps, p50, p99}' $tmp/wrk.txt
  awk '/Requests\/sec/ {print $2}' $tmp/wrk.txt > $tmp/rps
}
echo "wrk: $WT thread(s), $C connections, $D per run"
echo "nginx fixed response ($C connections):"; run http://127.0.0.1:$NGINX_PORT/; nginx_rps=$(cat $tmp/rps)
echo "pros-pricer GET /healthz ($C connections):"; run http://127.0.0.1:$PORT/healthz; ours_rps=$(cat $tmp/rps)
awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN {printf "  ratio to nginx: %.0f%%\n", 100 * a / b}'
# One month per request, $REPEAT runs each: runs on this shared machine differ, the p99 most.
echo "pros-pricer POST /v1/claims/price, 20-service month, $(wc -c < $tmp/month.json) bytes ($C connections):"
for _ in $(seq $REPEAT); do run -s $tmp/month.lua http://127.0.0.1:$PORT/v1/claims/price; done
echo "pros-pricer POST /v1/claims/price, the same month with required fields only, $(wc -c < $tmp/compact.json) bytes ($C connections):"
for _ in $(seq $REPEAT); do run -s $tmp/compact.lua http://127.0.0.1:$PORT/v1/claims/price; done
echo "  RSS of pros-pricer under load: $(ps -o rss= -p $PID) KiB"
for m in batch batch-compact; do
  echo "pros-pricer POST /v1/claims/price/batch, $BATCH months per request ($m, $(wc -c < $tmp/$m.ndjson) bytes, $C connections):"
  run -s $tmp/$m.lua http://127.0.0.1:$PORT/v1/claims/price/batch
  awk -v r="$(cat $tmp/rps)" -v n=$BATCH 'BEGIN {printf "  = %.0f member-months/s\n", r * n}'
done
echo "nginx fixed response (1 connection):"; C=1 run http://127.0.0.1:$NGINX_PORT/
echo "pros-pricer GET /healthz (1 connection):"; C=1 run http://127.0.0.1:$PORT/healthz
echo "pros-pricer POST /v1/claims/price (1 connection):"; C=1 run -s $tmp/month.lua http://127.0.0.1:$PORT/v1/claims/price
