#!/usr/bin/env bash
# This checkout against another revision, on the same machine in the same run: what a change costs.
#   bench/compare.sh REV            (ROUNDS=6 by default)
# Builds REV in a temporary worktree, then takes turns, round after round, so that the machine's slow
# and fast minutes fall on both sides alike, and prints medians and the best run of each:
# - instructions and first-level cache misses per member-month (callgrind with its cache model: the
#   same every run; a miss costs a dozen cycles or so, so misses explain a wall-clock gap that the
#   instruction count does not);
# - the engine alone (`pros-pricer bench`, decode + price + encode on one core);
# - HTTP with the server on one event loop bound to the second CPU and wrk on the first, so the
#   server's cost per request is what is measured, not how the scheduler shared two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/compare.sh REV" >&2; exit 64; }
scripts/deps.sh wrk valgrind
rev=$(git rev-parse --short "$1"); ROUNDS=${ROUNDS:-6}; PORT=${PORT:-18191}
tmp=$(mktemp -d)
cleanup() { git worktree remove --force "$tmp/other" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git worktree add --detach "$tmp/other" "$rev" >/dev/null 2>&1
echo "building this checkout and $rev (release)..."
swift build -c release --product pros-pricer >/dev/null
(cd "$tmp/other" && swift build -c release --product pros-pricer >/dev/null)
this=.build/release/pros-pricer; other=$tmp/other/.build/release/pros-pricer
names=("$rev" "this"); bins=("$other" "$this")

# Request bodies from this checkout, sent to both.
$this bench --sample --months 7 > "$tmp/month.json"
$this bench --sample --compact --months 7 > "$tmp/compact.json"
for m in month compact; do
  printf 'wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"\n' > "$tmp/$m.lua"
  printf 'local f = io.open("%s"); wrk.body = f:read("*a"); f:close()\n' "$tmp/$m.json" >> "$tmp/$m.lua"
done

echo "per member-month, callgrind (5.1 KB month / 2.5 KB month):"
for i in 0 1; do
  objcopy --strip-debug "${bins[$i]}" "$tmp/cg"  # valgrind 3.19 cannot read this binary's debug info
  line="  ${names[$i]}:"
  for mode in "" --compact; do
    for n in 1 201; do
      valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file="$tmp/cg.out" "$tmp/cg" bench --months $n $mode \
        > "$tmp/cg.txt" 2>&1
      ir[$n]=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$tmp/cg.txt" | tr -d ,)
      i1[$n]=$(sed -n 's/.*I1 *misses: *\([0-9,]*\).*/\1/p' "$tmp/cg.txt" | tr -d ,)
      d1[$n]=$(sed -n 's/.*D1 *misses: *\([0-9,]*\).*/\1/p' "$tmp/cg.txt" | tr -d ,)
    done
    line+=$(printf '%s %s instructions, %s I1 + %s D1 misses%s' "${mode:+;}" $(( (ir[201] - ir[1]) / 200 )) \
      $(( (i1[201] - i1[1]) / 200 )) $(( (d1[201] - d1[1]) / 200 )) "${mode:+ (compact)}")
  done
  echo "$line"
done

# One engine run: member-months per second.
engine() { "$1" bench --months 20000 $2 2>&1 | grep -o '[0-9,]* member-months/s' | head -1 | tr -d , | cut -d' ' -f1; }
# One HTTP run of 3 s: requests per second.
http() {
  local bin=$1 body=$2 cpus=()
  [ "$(nproc)" -ge 2 ] && cpus=(taskset -c 1)
  PROS_PRICER_ACCESS_LOG=false PROS_PRICER_THREADS=1 PROS_PRICER_PIN_THREADS=false \
    "${cpus[@]}" "$bin" serve --host 127.0.0.1 --port $PORT >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  local w=(wrk); [ "$(nproc)" -ge 2 ] && w=(taskset -c 0 wrk)
  "${w[@]}" -t1 -c16 -d1s -s "$tmp/$body.lua" "http://127.0.0.1:$PORT/v1/claims/price" >/dev/null
  "${w[@]}" -t1 -c16 -d3s -s "$tmp/$body.lua" "http://127.0.0.1:$PORT/v1/claims/price" \
    | awk '/Requests\/sec/ {printf "%.0f\n", $2}'
  kill $pid; wait $pid 2>/dev/null || true
}
: > "$tmp/runs"
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS..." >&2
  for i in 0 1; do
    echo "${names[$i]} engine $(engine "${bins[$i]}" "")" >> "$tmp/runs"
    echo "${names[$i]} engine-compact $(engine "${bins[$i]}" --compact)" >> "$tmp/runs"
    echo "${names[$i]} http $(http "${bins[$i]}" month)" >> "$tmp/runs"
    echo "${names[$i]} http-compact $(http "${bins[$i]}" compact)" >> "$tmp/runs"
  done
done
summarize() {  # median and best of one name's runs of one kind
  awk -v n="$1" -v k="$2" '$1 == n && $2 == k {print $3}' "$tmp/runs" | sort -n \
    | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f %.0f", m, a[NR]}'
}
echo "$ROUNDS rounds, medians (best run), $rev -> this checkout:"
for k in engine engine-compact http http-compact; do
  read -r om ob <<< "$(summarize "$rev" $k)"; read -r tm tb <<< "$(summarize this $k)"
  case $k in
    engine) label="engine, 5.1 KB month, member-months/s" ;;
    engine-compact) label="engine, 2.5 KB month, member-months/s" ;;
    http) label="POST /v1/claims/price, 5.1 KB month, req/s" ;;
    http-compact) label="POST /v1/claims/price, 2.5 KB month, req/s" ;;
  esac
  awk -v l="$label" -v om=$om -v ob=$ob -v tm=$tm -v tb=$tb \
    'BEGIN {printf "  %-44s %7d (%d) -> %7d (%d)  %+.1f%%\n", l, om, ob, tm, tb, 100 * (tm - om) / om}'
done
