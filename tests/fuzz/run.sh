#!/bin/sh
# run.sh: run each libFuzzer target of tests/fuzz/ on a copy of its seed
# corpus (tests/fuzz/corpus/<target>/) for a bounded time: FUZZ_SECONDS
# each (default 10).  Fails if any target crashes, leaks, times out or
# violates one of its properties; the reproducer is kept as
# tests/fuzz/<target>-crash-* in the build directory (run the target on
# that file to see it again).  Built and run only under --enable-fuzzing.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
seconds=${FUZZ_SECONDS:-10}
targets="fuzz_insz fuzz_date fuzz_text fuzz_config fuzz_search fuzz_sync_reply fuzz_contact fuzz_push"
work=$(mktemp -d "${TMPDIR:-/tmp}/handesk-fuzz-XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
status=0
for t in $targets; do
	bin=$top_builddir/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin not built"
		status=1
		continue
	fi
	mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
	cp "$top_srcdir/tests/fuzz/corpus/$t/"* "$work/$t/corpus/"
	chmod -R u+w "$work/$t/corpus"
	if "$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
		"$work/$t/corpus" >"$work/$t/log" 2>&1; then
		echo "fuzz: $t: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" |
			grep -o '[0-9]*$') runs in ${seconds}s)"
	else
		echo "fuzz: $t: FAILED"
		tail -60 "$work/$t/log"
		for a in "$work/$t/artifacts/"*; do
			[ -f "$a" ] || continue
			keep=$top_builddir/tests/fuzz/$t-$(basename "$a")
			cp "$a" "$keep"
			echo "fuzz: reproducer: $keep (run: $bin $keep)"
			od -c "$keep" | head -20
		done
		status=1
	fi
done
exit $status
