#!/usr/bin/env bash
# Streams a large NDJSON batch (default 1 GiB) through POST /v1/claims/price/batch and reports the
# server's resident memory before, at its peak (VmHWM) and after: flat memory means the peak stays
# near the start whatever the size. Real member-months alternate with blank padding lines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh curl
swift build -c release --product pros-pricer >/dev/null
MIB=${MIB:-1024}; PORT=${PORT:-18183}
.build/release/pros-pricer serve --port $PORT 2>/dev/null & PID=$!
tmp=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf $tmp' EXIT
sleep 1
month=$(.build/release/pros-pricer bench --sample --months 1 | tr -d '\n')
# One MiB block: member-months, each followed by 60 KiB of blank lines.
python3 - "$tmp/block" "$month" <<'PY'
import sys
month = sys.argv[2].encode() + b"\n"
unit = month + b"\n" * (60 * 1024)
block = unit * ((1 << 20) // len(unit))
block += b"\n" * ((1 << 20) - len(block))  # exactly 1 MiB: 1,024 of them fit the default 1 GiB batch limit
open(sys.argv[1], "wb").write(block)
PY
block_bytes=$(stat -c %s $tmp/block)
months_per_block=$(grep -c memberId $tmp/block)
echo "server RSS before: $(awk '/VmRSS/ {print $2}' /proc/$PID/status) KiB"
start=$(date +%s.%N)
for i in $(seq "$MIB"); do cat $tmp/block; done \
  | curl -sS --fail -X POST -H 'Content-Type: application/x-ndjson' -H 'Transfer-Encoding: chunked' -T - \
      http://127.0.0.1:$PORT/v1/claims/price/batch \
  | awk '/"result"/ {ok++} /"error"/ {bad++} END {printf "answer lines: %d priced, %d errors\n", ok, bad}'
end=$(date +%s.%N)
echo "uploaded $((block_bytes * MIB / 1048576)) MiB with $((months_per_block * MIB)) member-months in $(awk "BEGIN {printf \"%.1f\", $end - $start}") s"
echo "server RSS peak (VmHWM): $(awk '/VmHWM/ {print $2}' /proc/$PID/status) KiB, after: $(awk '/VmRSS/ {print $2}' /proc/$PID/status) KiB"
