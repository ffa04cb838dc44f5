#!/bin/bash
# Counts the instructions of fault-schedule seeds under valgrind's cachegrind, the measure changes
# are judged by (README, Benchmarks): `node --single-threaded --predictable` runs V8's compiler and
# collector on the main thread, so their work is counted too. Count two builds side by side (one
# in each core) and compare the totals; the same build counted twice differs by about 0.3%.
#
#   scripts/perf/cachegrind-seeds.sh LABEL DIST [SEEDS=120] [V8 flags...]
#   scripts/perf/cachegrind-seeds.sh before /tmp/dist-before 120 & scripts/perf/cachegrind-seeds.sh after dist 120; wait
#
# Writes /tmp/cachegrind.LABEL.out (for scripts/cachegrind-by-symbol.mjs) and prints the total.
set -euo pipefail
label=$1
dist=$2
seeds=${3:-120}
shift $(( $# < 3 ? $# : 3 ))
here=$(cd "$(dirname "$0")" && pwd)
DIST=$dist valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="/tmp/cachegrind.$label.out" \
  node --single-threaded --predictable "$@" "$here/fault-seeds.mjs" "$seeds" 2>&1 | grep -E "I +refs" | sed "s/^==[0-9]*== */$label: /"
