#!/bin/sh
# Side-by-side benchmarks of this SDK and the vendor's SDK (issue 7).
#
# Usage: internal/conformance/bench.sh [output-file] [extra go test flags...]
# Runs every benchmark of this module 6 times, writes the raw results to
# output-file (default: bench.txt in this directory), and summarises them
# with benchstat (median and confidence interval per benchmark).
set -eu

cd "$(dirname "$0")"
out="${1:-bench.txt}"
[ $# -gt 0 ] && shift

echo "== go test -run '^\$' -bench . -benchmem -count 6 $* > $out" >&2
go test -run '^$' -bench . -benchmem -count 6 "$@" . | tee "$out"

echo "== benchstat $out" >&2
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out"
