#!/usr/bin/env bash
# Instructions per member-month for the engine (decode + price + encode), counted by callgrind: unlike
# timings on this shared 2-core machine, the count is the same run after run, so it shows what a change
# to the engine gained or cost. Prints the count for the 5.1 KB sample month and the 2.5 KB compact one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh valgrind
swift build -c release --product pros-pricer >/dev/null
tmp=$(mktemp); bin=$(mktemp); trap 'rm -f "$tmp" "$bin"' EXIT
# valgrind 3.19 gives up on this binary's debug info ("possibly corrupted debuginfo file", since the
# swift-log and swift-argument-parser modules joined it): count on a copy without it, same code.
objcopy --strip-debug .build/release/pros-pricer "$bin"
count() {  # total instructions of `bench --months N [--compact]`
  valgrind --tool=callgrind --callgrind-out-file="$tmp" "$bin" bench --months "$1" ${2:+"$2"} 2>&1 \
    | sed -n 's/.*refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
for mode in "" --compact; do
  base=$(count 1 "$mode"); more=$(count 1001 "$mode")  # the difference leaves out start-up and warm-up
  echo "engine, ${mode:-full} month: $(( (more - base) / 1000 )) instructions per member-month"
done
