#!/usr/bin/env bash
# CSV billing exports end to end: rows/s and member-months/s through `price --csv` (on 1 and 2 worker
# threads) and through POST /v1/claims/price/batch (text/csv), with peak memory (VmHWM / max RSS) for
# an export of MB megabytes (default 100). Member-months of 20 services, one row each, 2 months a member.
# Also `price --batch` (NDJSON) on 1 and 2 threads.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-100}; PORT=${PORT:-18184}
scripts/deps.sh curl
swift build -c release --product pros-pricer >/dev/null
BIN=.build/release/pros-pricer
tmp=$(mktemp -d); trap 'kill $SPID 2>/dev/null || true; rm -rf $tmp' EXIT; SPID=
python3 - "$tmp/export.csv" "$MB" <<'PY'
import random, sys
path, mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(14)
comps = ["CRS", "CRS", "CRS", "IR", "CT", "ORS"]
formats = ["group", "individual", "group", "collateral"]
with open(path, "w", newline="") as f:
    f.write("memberId,date,startTime,component,format,minutes,location,telehealth,service,status,admissionDate,"
            "rreCodes,rateSchedule\r\n")
    n = 0
    while f.tell() < mb * 1_000_000:
        member = f"M-{100000 + n}"
        n += 1
        for month in ("2025-05", "2025-06"):
            for i in range(20):
                day = 1 + (i * 3 + n) % 28
                first = i == 0
                f.write(f"{member},{month}-{day:02d},{9 + i % 6:02d}:{'00' if i % 2 else '30'},{comps[(i + n) % 6]},"
                        f"{formats[(i + n) % 4]},{30 + (i * 7 + n) % 60},{'offsite' if (i + n) % 5 == 0 else 'onsite'},"
                        f"{'audio-video' if i % 7 == 0 else 'none'},psychosocial rehabilitation,"
                        f"{'admitted' if first else ''},{'2024-11-04' if first else ''},{'84' if first else ''},"
                        f"{'example-provider-a' if first else ''}\r\n")
PY
bytes=$(stat -c %s $tmp/export.csv); rows=$(($(wc -l < $tmp/export.csv) - 1)); months=$((rows / 20))
echo "export: $((bytes / 1000000)) MB, $rows rows, $months member-months"
elapsed() { python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$1" "$2"; }
rate() { python3 -c "import sys; t=float(sys.argv[1]); print(f'{t:.2f} s: {$rows/t:,.0f} rows/s, {$months/t:,.0f} member-months/s')" "$1"; }
for jobs in 1 2; do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o $tmp/rss $BIN price --csv $tmp/export.csv --jobs $jobs > $tmp/out.ndjson || true
  end=$(date +%s.%N)
  [ "$(wc -l < $tmp/out.ndjson)" -eq $months ] || { echo "expected $months answers" >&2; exit 1; }
  read -r rss user sys < $tmp/rss
  echo "price --csv --jobs $jobs: $(rate "$(elapsed $start $end)"), CPU ${user} s user + ${sys} s sys, peak RSS $((rss / 1024)) MiB"
done
start=$(date +%s.%N)
$BIN price --csv $tmp/export.csv --format csv > $tmp/out.csv || true
end=$(date +%s.%N)
echo "price --csv --format csv (2 threads): $(rate "$(elapsed $start $end)")"

$BIN serve --host 127.0.0.1 --port $PORT 2>/dev/null & SPID=$!
for _ in $(seq 50); do $BIN healthcheck --port $PORT 2>/dev/null && break; sleep 0.1; done
echo "server RSS idle: $(($(awk '/VmRSS/ {print $2}' /proc/$SPID/status) / 1024)) MiB"
for accept in application/x-ndjson text/csv; do
  start=$(date +%s.%N)
  curl -sS --fail -X POST -H 'Content-Type: text/csv' -H "Accept: $accept" --data-binary @$tmp/export.csv \
    -o $tmp/http.out http://127.0.0.1:$PORT/v1/claims/price/batch
  end=$(date +%s.%N)
  echo "POST text/csv, Accept $accept: $(rate "$(elapsed $start $end)"), answer $(($(stat -c %s $tmp/http.out) / 1000000)) MB"
done
echo "server RSS peak (VmHWM): $(($(awk '/VmHWM/ {print $2}' /proc/$SPID/status) / 1024)) MiB for a $((bytes / 1000000)) MB export"

# NDJSON batches on 1 and 2 threads: the same member-months as JSON lines.
for i in $(seq 0 63); do $BIN bench --sample --months $i; done > $tmp/one.ndjson
N=${MONTHS:-40000}
python3 -c "import sys; l=open('$tmp/one.ndjson').read().splitlines(); open('$tmp/batch.ndjson','w').write('\n'.join(l[i%64] for i in range($N))+'\n')"
for jobs in 1 2; do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o $tmp/rss $BIN price --batch --jobs $jobs $tmp/batch.ndjson > /dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; t=float(sys.argv[1]); print(f'price --batch --jobs $jobs: $N member-months in {t:.2f} s: {$N/t:,.0f} member-months/s, peak RSS {int(sys.argv[2])//1024} MiB')" \
    "$(elapsed $start $end)" "$(cat $tmp/rss)"
done
