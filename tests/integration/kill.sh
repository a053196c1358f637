#!/bin/sh
# kill.sh: `handesk sync` killed with SIGKILL at random moments while a
# cache keeps changing, and now and then handeskd killed too and started
# again: afterwards no change is lost, none is duplicated, the cache passes
# PRAGMA integrity_check and equals the central store.  KILL_ROUNDS rounds
# (default 20 in make check; `make check-long` runs 200).
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
[ -x "$CACHETOOL" ] || skip "no cachetool at $CACHETOOL"
export HANDESK HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB
pg_cluster "$@"

t=$T_TMP
rounds=${KILL_ROUNDS:-20}
cleanup() {
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
port=$srv_port

# bg NAME: `handesk sync` of that cache in the background, $victim its pid
# (the process itself: `hs ... &` would give the pid of a subshell, and
# SIGKILL would leave handesk running).
bg() {
	"$HANDESK" --config "$t/$1.conf" sync >/dev/null 2>&1 &
	victim=$!
}
# A pseudo-random delay in seconds (0 to 0.25), repeatable from the round.
delay() { awk -v s="$1" 'BEGIN { srand(s); printf "%.3f\n", rand() * 0.25 }'; }

hk_cache k1 BRU
hk_cache k2 BRU
hs k1 sync >"$t/out" 2>&1 || fail "first sync: $(cat "$t/out")"
hs k1 --login dir staff add --login dir --role director --family Dirk --given Daems >/dev/null 2>&1 ||
	fail "staff add"
first=$(ct k1 dir add-person Eerste Persoon) || fail "add-person"

created=1
r=1
while [ $r -le "$rounds" ]; do
	for i in 1 2 3; do
		ct k1 dir add-person "Round$r" "P$i" >/dev/null || fail "round $r: add-person"
		created=$((created + 1))
	done
	ct k1 dir set-person "$first" notes "round $r" || fail "round $r: set-person"
	bg k1
	sleep "$(delay $r)"
	kill -9 $victim 2>/dev/null
	wait $victim 2>/dev/null
	# Every seventh round the service dies too, mid-request or not.
	if [ $((r % 7)) -eq 0 ]; then
		bg k1
		sleep "$(delay $((r + 1000)))"
		kill -9 "$srv_pid" 2>/dev/null
		wait "$srv_pid" 2>/dev/null
		wait $victim 2>/dev/null
		hd_serve srv --threads 4 --listen "127.0.0.1:$port"
		[ "$srv_port" = "$port" ] || fail "handeskd came back on port $srv_port, not $port"
	fi
	if [ $((r % 5)) -eq 0 ]; then
		ok=$(ct k1 sql "PRAGMA integrity_check")
		[ "$ok" = ok ] || fail "round $r: integrity_check: $ok"
	fi
	r=$((r + 1))
done

# Quiet now: sync to the end, then compare.
hs k1 sync >"$t/out" 2>&1 || fail "final sync (a killed agent must not block the next one): $(cat "$t/out")"
[ "$(ct k1 sql "SELECT count(*) FROM outbox")" = 0 ] || fail "outbox not empty after the final sync"
[ "$(ct k1 sql "SELECT count(*) FROM sync_rejected")" = 0 ] ||
	fail "rejected changes: $(ct k1 sql "SELECT reason FROM sync_rejected")"
[ "$(ct k1 sql "PRAGMA integrity_check")" = ok ] || fail "integrity_check after the rounds"
hs k2 sync >"$t/out" 2>&1 || fail "k2 sync: $(cat "$t/out")"
persons=$(q -c "SELECT count(*) FROM record WHERE entity = 'person'")
[ "$persons" = "$created" ] || fail "central holds $persons persons, $created were created"
[ "$(q -c "SELECT data->>'notes' FROM record WHERE id = '$first'")" = "round $rounds" ] ||
	fail "the last edit did not arrive: $(q -c "SELECT data->>'notes' FROM record WHERE id = '$first'")"
q -c "SELECT entity || ' ' || id || ' ' || version || ' ' || (CASE WHEN deleted THEN 1 ELSE 0 END)
      FROM record WHERE entity <> 'centre' ORDER BY 1" | sort >"$t/central.rows"
for c in k1 k2; do
	ct $c rows | grep -v '^centre ' | sort >"$t/$c.rows"
	cmp -s "$t/central.rows" "$t/$c.rows" ||
		fail "$c differs from the central store: $(diff "$t/central.rows" "$t/$c.rows" | head)"
done
ct k1 dump person >"$t/k1.dump"
ct k2 dump person >"$t/k2.dump"
cmp -s "$t/k1.dump" "$t/k2.dump" || fail "k1 and k2 persons differ"

# The initial sync of a large centre (a snapshot in pages) killed again and
# again: each run goes on from the last page it committed, and the cache
# ends equal to the central store.
q -c "INSERT INTO record (entity, id, centre_id, version, updated_at, data)
      SELECT 'person', gen_random_uuid(), c.id, nextval('record_version'), now(),
             jsonb_build_object('insz', '', 'family_name', 'Bulk' || g, 'given_name', 'Anna',
               'birth_date', '1970-01-01', 'sex', 'f', 'language', 'nl', 'nationality', 'BE',
               'residence', 'population', 'street', 'Kerkstraat ' || g, 'postcode', '1000',
               'municipality', 'Brussel', 'phone', '', 'email', '', 'contact_name', '',
               'contact_phone', '', 'contact_relation', '', 'notes', '')
      FROM centre c, generate_series(1, 30000) g WHERE c.code = 'BRU'" ||
	fail "seeding the central store"
hk_cache k3 BRU
kills=0
r=1
while [ $r -le 8 ]; do
	bg k3
	sleep "$(delay $((r + 2000)))"
	kill -9 $victim 2>/dev/null && kills=$((kills + 1))
	wait $victim 2>/dev/null
	r=$((r + 1))
done
[ "$(ct k3 sql "PRAGMA integrity_check")" = ok ] || fail "k3 integrity_check"
hs k3 sync >"$t/out" 2>&1 || fail "k3 sync after the kills: $(cat "$t/out")"
q -c "SELECT entity || ' ' || id || ' ' || version || ' ' || (CASE WHEN deleted THEN 1 ELSE 0 END)
      FROM record WHERE entity <> 'centre' ORDER BY 1" | sort >"$t/central.rows"
ct k3 rows | grep -v '^centre ' | sort >"$t/k3.rows"
cmp -s "$t/central.rows" "$t/k3.rows" ||
	fail "k3 differs from the central store after $kills kills: $(diff "$t/central.rows" "$t/k3.rows" | head)"
[ "$(ct k3 sql "SELECT count(*) FROM person_key WHERE key LIKE '1bulk%'")" -ge 30000 ] ||
	fail "the search index of the pulled persons is incomplete"
echo "kill.sh: $rounds rounds, then the initial sync of $(wc -l <"$t/central.rows") rows killed $kills times"
exit 0
