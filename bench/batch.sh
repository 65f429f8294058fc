#!/usr/bin/env bash
# End-to-end `price --batch` throughput on realistic 20-service member-months, and the engine alone.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${MONTHS:-20000}
swift build -c release --product pros-pricer >/dev/null
tmp=$(mktemp); trap 'rm -f $tmp' EXIT
for i in $(seq 0 63); do .build/release/pros-pricer bench --sample --months $i; done > $tmp.one
python3 -c "import sys; l=open('$tmp.one').read().splitlines(); open('$tmp','w').write('\n'.join(l[i%64] for i in range($N))+'\n')"
start=$(date +%s.%N); .build/release/pros-pricer price --batch $tmp > /dev/null; end=$(date +%s.%N)
python3 -c "print(f'price --batch: $N member-months in {($end-$start):.2f} s: {$N/($end-$start):.0f} member-months/s')"
.build/release/pros-pricer bench --months $N
rm -f $tmp.one
