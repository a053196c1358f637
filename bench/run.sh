#!/bin/sh
# run.sh BUILDDIR: run the benchmarks of design.md section 8 (make bench).
# Builds nothing.  Creates one national-scale demo cache with `handesk demo`
# (timed: the demo generation figure) in a temporary directory and passes it
# to the bench programs (bench_keys runs the real handesk on it in a pty).
#   BENCH_PERSONS  persons in the cache (default 600000)
#   BENCH_CACHE    use this existing demo cache instead (it gets written to)
#   BENCH_RUNS     start-up runs, cold and warm (default 7)
# bench_sync.sh (its own throwaway PostgreSQL) takes BENCH_SYNC_ROWS and
# BENCH_SYNC_RUNS; its last step, keystrokes in handesk during a large sync
# (bench_keys -S), BENCH_KEYS_SYNC_ROWS and BENCH_KEYS_SYNC_CHANGES.
set -u
build=${1:?usage: run.sh BUILDDIR}
handesk=$build/handesk
persons=${BENCH_PERSONS:-600000}
runs=${BENCH_RUNS:-7}
status=0

now() { date +%s.%N; }

if [ -n "${BENCH_CACHE:-}" ]; then
	cache=$BENCH_CACHE
	echo "demo generation: skipped, using $cache"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/handesk-bench.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	cache=$tmp/cache.db
	t0=$(now)
	if ! "$handesk" demo --persons "$persons" --seed 1 --db "$cache" >"$tmp/demo.out"; then
		echo "demo generation: FAIL (handesk demo exited non-zero)"
		exit 1
	fi
	t1=$(now)
	sed 's/^/  /' "$tmp/demo.out"
	awk -v a="$t0" -v b="$t1" -v n="$persons" 'BEGIN {
		s = b - a; bar = 60
		printf "demo generation, %d persons: %.1f s (bar < %d s) %s\n", n, s, bar,
			s < bar ? "PASS" : "FAIL"
		exit !(s < bar) }' || status=1
	echo "  cache file: $(du -h "$cache" | cut -f1)"
fi

echo "== bench_cache"
"$build/bench/bench_cache" -r "$runs" "$cache" || status=1

echo "== bench_keys"
"$build/bench/bench_keys" "$handesk" "$cache" || status=1

if [ -x "$build/bench/bench_insz" ]; then
	echo "== bench_insz"
	"$build/bench/bench_insz" || status=1
fi

echo "== bench_sync"
sh "$(dirname "$0")/bench_sync.sh" "$build" || status=1
exit $status
