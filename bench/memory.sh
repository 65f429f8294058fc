#!/usr/bin/env bash
# The figures behind the Kubernetes memory request and limit (deploy/20-pros-pricer.yaml): the release
# server's resident memory (VmRSS) idle, its peak (VmHWM) under a short wrk load, and its peak while it
# prices the largest batches the default limits allow: a JSON array just under maxBatchArrayBytes
# (64 MiB, held in memory with its answer), ARRAYS of them at once (default 1), and an NDJSON batch of
# the same size (streamed). Access logs on, as by default. Keep it short: DURATION (default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh curl wrk
swift build -c release --product pros-pricer >/dev/null
PORT=${PORT:-18184}; D=${DURATION:-5s}; ARRAYS=${ARRAYS:-1}
tmp=$(mktemp -d)
.build/release/pros-pricer serve --host 127.0.0.1 --port $PORT 2>/dev/null & PID=$!
trap 'kill $PID 2>/dev/null; rm -rf $tmp' EXIT
for _ in $(seq 50); do .build/release/pros-pricer healthcheck --port $PORT 2>/dev/null && break; sleep 0.1; done
kib() { awk -v k="$1:" '$1 == k {print $2}' /proc/$PID/status; }
echo "idle: VmRSS $(kib VmRSS) KiB"
.build/release/pros-pricer bench --sample --months 7 > $tmp/month.json
cat > $tmp/month.lua <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/month.json"); wrk.body = f:read("*a"); f:close()
LUA
wrk -t1 -c32 -d$D --latency -s $tmp/month.lua http://127.0.0.1:$PORT/v1/claims/price > $tmp/wrk.txt
echo "wrk 32 connections, $D, $(wc -c < $tmp/month.json)-byte month: $(awk '/Requests\/sec/ {print $2}' $tmp/wrk.txt) req/s;" \
     "peak VmHWM $(kib VmHWM) KiB"
# Real 20-service months, compact, one after another up to just under 64 MiB.
python3 - $tmp/month.json $tmp/array.json $tmp/batch.ndjson <<'PY'
import json, sys
month = json.load(open(sys.argv[1]))
limit, out, lines, n = 64 << 20, [], [], 0
size = 2
while True:
    month["memberId"] = f"BENCH-{n}"
    item = json.dumps(month, separators=(",", ":"))
    if size + len(item) + 1 > limit - 1024: break
    out.append(item); size += len(item) + 1; n += 1
open(sys.argv[2], "w").write("[" + ",".join(out) + "]")
open(sys.argv[3], "w").write("\n".join(out) + "\n")
print(f"batch: {n} member-months, {size} bytes")
PY
curl -sS --fail -o /dev/null -w '%{http_code} %{size_download}' -H 'Content-Type: application/x-ndjson' \
     --data-binary @$tmp/batch.ndjson http://127.0.0.1:$PORT/v1/claims/price/batch
echo " (NDJSON batch: status, answer bytes); peak VmHWM $(kib VmHWM) KiB"
pids=()
for i in $(seq "$ARRAYS"); do
  curl -sS --fail -o /dev/null -w '%{http_code} %{size_download} ' -H 'Content-Type: application/json' \
       --data-binary @$tmp/array.json http://127.0.0.1:$PORT/v1/claims/price/batch > $tmp/array-$i.txt & pids+=($!)
done
wait "${pids[@]}"
echo "$ARRAYS JSON-array batch(es) at once: $(cat $tmp/array-*.txt)(status, answer bytes); peak VmHWM $(kib VmHWM) KiB"
echo "after: VmRSS $(kib VmRSS) KiB"
