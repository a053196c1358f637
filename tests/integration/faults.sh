#!/bin/sh
# faults.sh: caches syncing through tests/integration/faultproxy, which
# drops, resets, truncates, garbles (invalid bytes), delays and stalls a
# share of the service's responses: cycles fail, are retried, and after
# recovery every change has arrived exactly once and every cache equals the
# central store.  FAULT_ROUNDS rounds (default 12).
HANDESKD=${HANDESKD:-./handeskd}
HANDESK=${HANDESK:-./handesk}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
	. "$top_srcdir/tests/integration/pg.sh"
else
	. "$(dirname "$0")/../lib.sh"
	. "$(dirname "$0")/pg.sh"
fi
[ -x "$HANDESKD" ] || skip "no handeskd binary at '$HANDESKD'"
need_handesk
CACHETOOL=${top_builddir:-.}/tests/integration/cachetool
FAULTPROXY=${top_builddir:-.}/tests/integration/faultproxy
[ -x "$CACHETOOL" ] || skip "no cachetool at $CACHETOOL"
[ -x "$FAULTPROXY" ] || skip "no faultproxy at $FAULTPROXY"
export HANDESK HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB
pg_cluster "$@"

t=$T_TMP
rounds=${FAULT_ROUNDS:-12}
proxy_pid=
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	hd_kill_all
	rm -rf "$T_TMP"
}
trap cleanup EXIT
hd() { "$HANDESKD" "$@"; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
export XDG_CONFIG_HOME=$t/xdg XDG_DATA_HOME=$t/xdg

hd migrate >/dev/null || fail "migrate"
hd centre add --code BRU --name Brussel --language nl >/dev/null || fail "centre BRU"
hd_serve srv --threads 4

# Every response its own unit; a third of them spoiled, repeatably.
"$FAULTPROXY" --upstream "127.0.0.1:$srv_port" --per-request --seed 7 --rate 0.35 \
	--faults drop,reset,delay,truncate,garble,stall --garble-invalid --delay-ms 300 \
	--stall-ms 400 >"$t/proxy.out" 2>"$t/proxy.err" &
proxy_pid=$!
i=0
while [ $i -lt 50 ] && [ ! -s "$t/proxy.out" ]; do
	sleep 0.1
	i=$((i + 1))
done
proxy_port=$(head -1 "$t/proxy.out")
[ -n "$proxy_port" ] || fail "faultproxy did not start: $(cat "$t/proxy.err")"


# Set up directly, then go through the proxy.
hk_cache f1 BRU "$srv_port"
hk_cache f2 BRU "$srv_port"
hs f1 sync >"$t/out" 2>&1 || fail "first sync: $(cat "$t/out")"
hs f1 --login dir staff add --login dir --role director --family Dirk --given Daems >/dev/null 2>&1 ||
	fail "staff add"
first=$(ct f1 dir add-person Eerste Persoon) || fail "add-person"
created=1
hk_cache f1 BRU "$proxy_port"
hk_cache f2 BRU "$proxy_port"

failed=0
r=1
while [ $r -le "$rounds" ]; do
	for i in 1 2 3; do
		ct f1 dir add-person "Fault$r" "P$i" >/dev/null || fail "round $r: add-person"
		created=$((created + 1))
	done
	ct f1 dir set-person "$first" notes "round $r" || fail "round $r: set-person"
	hs f1 sync >"$t/f1.out" 2>&1 || failed=$((failed + 1))
	hs f2 sync >"$t/f2.out" 2>&1 || failed=$((failed + 1))
	[ "$(ct f1 sql "PRAGMA integrity_check")" = ok ] || fail "round $r: f1 integrity_check"
	r=$((r + 1))
done
grep -q 'truncate\|garble\|drop\|reset' "$t/proxy.err" || fail "the proxy spoiled nothing: $(cat "$t/proxy.err")"

# Recovery: the proxy gone, sync directly.
hk_cache f1 BRU "$srv_port"
hk_cache f2 BRU "$srv_port"
hs f1 sync >"$t/out" 2>&1 || fail "f1 sync after recovery: $(cat "$t/out")"
hs f2 sync >"$t/out" 2>&1 || fail "f2 sync after recovery: $(cat "$t/out")"
[ "$(ct f1 sql "SELECT count(*) FROM outbox")" = 0 ] || fail "f1 outbox not empty"
[ "$(ct f1 sql "SELECT count(*) FROM sync_rejected")" = 0 ] ||
	fail "rejected: $(ct f1 sql "SELECT reason FROM sync_rejected")"
persons=$(q -c "SELECT count(*) FROM record WHERE entity = 'person'")
[ "$persons" = "$created" ] || fail "central holds $persons persons, $created were created"
[ "$(q -c "SELECT data->>'notes' FROM record WHERE id = '$first'")" = "round $rounds" ] ||
	fail "the last edit did not arrive"
q -c "SELECT entity || ' ' || id || ' ' || version || ' ' || (CASE WHEN deleted THEN 1 ELSE 0 END)
      FROM record WHERE entity <> 'centre' ORDER BY 1" | sort >"$t/central.rows"
for c in f1 f2; do
	ct $c rows | grep -v '^centre ' | sort >"$t/$c.rows"
	cmp -s "$t/central.rows" "$t/$c.rows" ||
		fail "$c differs from the central store: $(diff "$t/central.rows" "$t/$c.rows" | head)"
done
echo "faults.sh: $failed of $((2 * rounds)) cycles failed through the proxy, all recovered"
exit 0
