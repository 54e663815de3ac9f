#!/bin/sh
# Side-by-side benchmarks of this SDK and the vendor's SDK (issue 7).
#
# Usage: internal/conformance/bench.sh [output-file] [extra go test flags...]
#
# Runs every benchmark of this module 6 times, writes the raw results to
# output-file (default: bench.txt in this directory), summarises them with
# benchstat (median and confidence interval per benchmark), and prints the
# ratios that BENCHMARKS.md tracks, computed from the same medians.
set -eu

cd "$(dirname "$0")"
out="${1:-bench.txt}"
[ $# -gt 0 ] && shift

echo "== go test -run '^\$' -bench . -benchmem -count 6 $* . > $out" >&2
go test -run '^$' -bench . -benchmem -count 6 "$@" . | tee "$out"

echo "== benchstat $out" >&2
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out"

echo "== medians and ratios" >&2
awk '
function median(list,   n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j] + 0 < v[j-1] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	if (!(name in ns)) order[++count] = name
	for (i = 2; i <= NF; i++) {
		if ($i == "ns/op") ns[name] = ns[name] " " $(i-1)
		if ($i == "allocs/op") al[name] = al[name] " " $(i-1)
		if ($i == "cpu-ns/op") cpu[name] = cpu[name] " " $(i-1)
	}
}
END {
	for (k = 1; k <= count; k++) {
		n = order[k]; mns[n] = median(ns[n]); mal[n] = median(al[n])
		printf "%-34s %12.0f ns/op %8.1f allocs/op", n, mns[n], mal[n]
		if (n in cpu) { mcpu[n] = median(cpu[n]); printf " %12.0f cpu-ns/op", mcpu[n] }
		printf "\n"
	}
	if (mns["BenchmarkSign/ours"] > 0)
		printf "Sign: vendor/ours = %.2fx (target >= 5x, <= 5 allocs)\n", mns["BenchmarkSign/vendor"] / mns["BenchmarkSign/ours"]
	if (mns["BenchmarkBanRoomUser/ours"] > 0)
		printf "BanRoomUser: vendor/ours = %.2fx (target >= 4x, <= 20 allocs)\n", mns["BenchmarkBanRoomUser/vendor"] / mns["BenchmarkBanRoomUser/ours"]
	if (mcpu["BenchmarkBanRoomUser/ours"] > 0)
		printf "BanRoomUser, by CPU per call: vendor/ours = %.2fx (less sensitive to other load)\n", mcpu["BenchmarkBanRoomUser/vendor"] / mcpu["BenchmarkBanRoomUser/ours"]
	if (mns["BenchmarkLoopback/ours"] > 0)
		printf "Loopback: ours throughput / raw = %.3f (target >= 0.90)\n", mns["BenchmarkLoopback/rawnethttp"] / mns["BenchmarkLoopback/ours"]
	if (mcpu["BenchmarkLoopback/ours"] > 0)
		printf "Loopback, by CPU per call: raw / ours = %.3f (less sensitive to other load)\n", mcpu["BenchmarkLoopback/rawnethttp"] / mcpu["BenchmarkLoopback/ours"]
}' "$out"
