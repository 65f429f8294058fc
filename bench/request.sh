#!/usr/bin/env bash
# Instructions and first-level cache misses (instruction + data) per priced request to the live server,
# counted by callgrind with its cache model: the server on one event loop, access log off, a client on
# one keep-alive connection sending what wrk sends (Host, Content-Length, Content-Type) with the 5.1 KB
# sample month. Like bench/instructions.sh the counts are the same run after run; unlike it they include
# the HTTP server, the routing and the kernel calls' user-side work. 220 requests less 20, divided by 200.
#   bench/request.sh [BINARY]      (default: this checkout's release build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh valgrind
if [ $# -ge 1 ]; then bin=$1; else swift build -c release --product pros-pricer >/dev/null; bin=.build/release/pros-pricer; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
objcopy --strip-debug "$bin" "$tmp/cg"  # valgrind 3.19 cannot read this binary's debug info
"$bin" bench --sample --months 7 > "$tmp/month.json"
PORT=${PORT:-18335}
cat > "$tmp/client.py" <<'PY'
import http.client, sys, time
port, n, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], 'rb').read()
for _ in range(600):
    try:
        c = http.client.HTTPConnection('127.0.0.1', port); c.request('GET', '/healthz'); c.getresponse().read(); break
    except OSError:
        time.sleep(0.2)
for _ in range(n):
    c.putrequest('POST', '/v1/claims/price', skip_accept_encoding=True)
    c.putheader('Content-Type', 'application/json'); c.putheader('Content-Length', str(len(body))); c.endheaders(body)
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
for n in 20 220; do
  PROS_PRICER_ACCESS_LOG=false PROS_PRICER_THREADS=1 PROS_PRICER_PIN_THREADS=false valgrind --tool=callgrind \
    --cache-sim=yes --callgrind-out-file="$tmp/cg.$n.out" "$tmp/cg" serve --host 127.0.0.1 --port "$PORT" \
    > "$tmp/log.$n" 2>&1 &
  pid=$!
  python3 "$tmp/client.py" "$PORT" "$n" "$tmp/month.json"
  kill -INT "$pid"; wait "$pid" || true
  for e in I1 D1; do eval "$e$n=\$(sed -n 's/.*$e *misses: *\([0-9,]*\).*/\1/p' \"\$tmp/log.\$n\" | tr -d ,)"; done
  eval "ir$n=\$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' \"\$tmp/log.\$n\" | tr -d ,)"
done
echo "per 5.1 KB request: $(( (ir220 - ir20) / 200 )) instructions, $(( (I1220 - I120) / 200 )) I1 + $(( (D1220 - D120) / 200 )) D1 misses"
