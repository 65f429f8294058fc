#!/usr/bin/env bash
# Fuzzes with libFuzzer (swiftc -sanitize=fuzzer,address):
#   scripts/fuzz.sh http [SECONDS]      the HTTP/1.1 request parser (fuzz/HTTPParserFuzz.swift)
#   scripts/fuzz.sh decoder [SECONDS]   the member-month decoder, pricer and encoder (fuzz/DecoderFuzz.swift)
#   scripts/fuzz.sh connection [SECONDS]  the connection state machine, random events, a fake clock
#                                         (fuzz/ConnectionFuzz.swift)
#   scripts/fuzz.sh csv [SECONDS]       the CSV reader and writer, and billing exports priced (fuzz/CSVFuzz.swift)
# SECONDS defaults to 60. Seeds come from fuzz/corpus/TARGET; what the run learns stays in
# .build-fuzz/corpus-TARGET for the next run. A crash leaves .build-fuzz/crash-* and exits non-zero;
# replay it with: .build-fuzz/TARGET .build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh http|decoder|connection|csv [SECONDS]}
seconds=${2:-60}
extra=()
case "$target" in
  http) sources=(Sources/HTTPServer/HTTPParser.swift Sources/HTTPServer/HTTPTypes.swift Sources/HTTPServer/ServerConfiguration.swift fuzz/HTTPParserFuzz.swift); dict=() ;;
  decoder) sources=(Sources/JSON/*.swift Sources/PROSRules/*.swift Sources/PROSWire/*.swift
                    Sources/PROSService/Problem.swift fuzz/DecoderFuzz.swift); dict=(-dict=fuzz/json.dict) ;;
  connection)
    sources=(Sources/HTTPServer/{ConnectionStateMachine,Handler,HTTPParser,HTTPTypes,ServerConfiguration,Gzip}.swift
             fuzz/ConnectionFuzz.swift); dict=(); extra=(-I Sources/CZlib -lz) ;;
  csv) sources=(Sources/CSV/*.swift Sources/JSON/*.swift Sources/PROSRules/*.swift Sources/PROSWire/*.swift
                Sources/PROSService/{Problem,BillingExport,ExportOutput,BatchSummary}.swift fuzz/CSVFuzz.swift)
       dict=(-dict=fuzz/csv.dict) ;;
  *) echo "unknown target $target (http, decoder, connection or csv)" >&2; exit 2 ;;
esac
mkdir -p .build-fuzz/corpus-"$target"
bin=.build-fuzz/$target
newest=$(ls -t "${sources[@]}" "$0" | head -1)
if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
  echo "building $bin" >&2
  # One module of all the target's sources: the imports between our own modules go.
  flat=.build-fuzz/src-$target; rm -rf "$flat"; mkdir -p "$flat"
  for f in "${sources[@]}"; do
    sed -E '/^(@testable )?import (CSV|JSON|PROSRules|PROSWire|PROSService|HTTPServer)$/d' "$f" > "$flat/$(echo "$f" | tr / _)"
  done
  swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$target" "${extra[@]}" "$flat"/*.swift \
    -o "$bin" 2>&1 \
    | { grep -v "Cannot export local symbol" || true; }
  test "${PIPESTATUS[0]}" -eq 0
fi
# libFuzzer exits 0 when nothing was found in the time given.
log=.build-fuzz/$target.log
rc=0
"$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix=.build-fuzz/ .build-fuzz/corpus-"$target" fuzz/corpus/"$target" >"$log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then tail -40 "$log" >&2; echo "fuzz $target: FAILED (exit $rc); log in $log" >&2; exit $rc; fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -E "^#[0-9]+" "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
echo "fuzz $target: $runs inputs in ${seconds}s, coverage $cov, no crash"
