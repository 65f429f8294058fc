#!/usr/bin/env bash
# Benchmarks over HTTP with wrk: our /healthz and priced member-months, and nginx serving a fixed
# response on the same machine in the same run. Prints requests/s, latency and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh wrk nginx-light
swift build -c release --product pros-pricer >/dev/null
PORT=18181; NGINX_PORT=18182; D=${DURATION:-10s}; C=${CONNECTIONS:-32}
.build/release/pros-pricer serve --port $PORT 2>/dev/null & PID=$!
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
cat > $tmp/post.lua <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/month.json"); wrk.body = f:read("*a"); f:close()
LUA
run() { wrk -t2 -c$C -d$D --latency "$@" | awk '/Requests\/sec/ {print "  req/s", $2} / 50%/ {print "  p50", $2} / 99%/ {print "  p99", $2}'; }
echo "nginx fixed response ($C connections):"; run http://127.0.0.1:$NGINX_PORT/
echo "pros-pricer /healthz ($C connections):"; run http://127.0.0.1:$PORT/healthz
echo "pros-pricer POST /v1/claims/price, 20-service month ($C connections):"; run -s $tmp/post.lua http://127.0.0.1:$PORT/v1/claims/price
echo "pros-pricer /healthz (1 connection):"; C=1 run http://127.0.0.1:$PORT/healthz
echo "RSS of pros-pricer: $(ps -o rss= -p $PID) KiB"
