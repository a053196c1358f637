#!/bin/sh
# sync.sh: handesk caches syncing with a real handeskd and PostgreSQL on
# loopback (design.md 5): a fresh cache pulls its centre; two caches of one
# centre edit one person offline (different fields merge, the same field
# is a conflict on both sides' lists and nothing is lost); a cache of
# another centre never receives the first centre's rows; a revoked token is
# refused and the cache keeps its unsent changes; many caches pushing at
# once while others pull all end equal to the central store (the pull
# cursor skips no row committed late).
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

# --- inside the throwaway cluster ---
t=$T_TMP
cleanup() {
	hd_kill_all
	rm -rf "$T_TMP"
}
trap cleanup EXIT
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
export XDG_CONFIG_HOME=$t/xdg XDG_DATA_HOME=$t/xdg

# The public website's key; forms that match no centre go to GNT.
site_key=site-key-of-the-public-website-0123456789
printf 'site_key = %s\ndefault_centre = GNT\n' "$site_key" >"$t/handeskd.conf"
HD_ARGS="--config $t/handeskd.conf"
hd() { "$HANDESKD" $HD_ARGS "$@"; }
hd migrate >/dev/null || fail "migrate"
hd centre add --code BRU --name Brussel --language nl >/dev/null || fail "centre BRU"
hd centre add --code GNT --name Gent --language nl >/dev/null || fail "centre GNT"
hd centre area add --centre BRU --from 1000 --to 1299 >/dev/null || fail "area BRU"
hd_serve srv --threads 4

sync_ok() {
	hs "$1" sync >"$t/$1.sync" 2>&1 || fail "handesk sync ($1): $(cat "$t/$1.sync")"
}
count() { ct "$1" sql "$2"; }

# 1. A fresh cache: the first sync brings its centre; the director is
# then added locally and pushed; a second cache of the centre pulls it.
hk_cache a1 BRU
hk_cache a2 BRU
hk_cache b1 GNT
sync_ok a1
[ "$(count a1 "SELECT code FROM centre")" = BRU ] || fail "a1 has no centre BRU after sync: $(ct a1 dump centre)"
hs a1 --login dir staff add --login dir --role director --family Dirk --given Daems >/dev/null 2>&1 ||
	fail "staff add in a synced cache: $(hs a1 --login dir staff add --login dir --role director --family Dirk --given Daems 2>&1)"
pid=$(ct a1 dir add-person Peeters Jan 85073003328) || fail "add-person"
sync_ok a1
[ "$(count a1 "SELECT count(*) FROM outbox")" = 0 ] || fail "a1 outbox not empty after sync: $(cat "$t/a1.sync")"
[ "$(count a1 "SELECT version > 0 FROM person WHERE id = '$pid'")" = 1 ] || fail "person not versioned"
sync_ok a2
[ "$(count a2 "SELECT family_name FROM person WHERE id = '$pid'")" = Peeters ] || fail "a2 did not pull the person"
[ "$(count a2 "SELECT login FROM staff")" = dir ] || fail "a2 did not pull the staff record"

# 2. Different fields of one person offline: both edits survive.
ct a1 dir set-person "$pid" phone 0470123456 || fail "a1 phone"
ct a2 dir set-person "$pid" email jan@example.be || fail "a2 email"
sync_ok a1
sync_ok a2
sync_ok a1
for c in a1 a2; do
	[ "$(count $c "SELECT phone || ' ' || email FROM person WHERE id = '$pid'")" = "+32470123456 jan@example.be" ] ||
		fail "$c: merged person is $(ct $c dump person)"
done
[ "$(count a1 "SELECT count(*) FROM conflict")" = 0 ] || fail "a conflict for disjoint fields"

# 3. The same field: a conflict on both sides, both values kept.
ct a1 dir set-person "$pid" street "Kerkstraat 1" || fail "a1 street"
ct a2 dir set-person "$pid" street "Markt 7" || fail "a2 street"
sync_ok a1
sync_ok a2
sync_ok a1
for c in a1 a2; do
	[ "$(count $c "SELECT count(*) FROM conflict WHERE deleted = 0")" = 1 ] ||
		fail "$c: conflicts $(ct $c dump conflict)"
	ct $c dump conflict | grep -q "Markt 7" || fail "$c: ours lost: $(ct $c dump conflict)"
	ct $c dump conflict | grep -q "Kerkstraat 1" || fail "$c: theirs lost: $(ct $c dump conflict)"
done
[ "$(count a2 "SELECT street FROM person WHERE id = '$pid'")" = "Kerkstraat 1" ] ||
	fail "a2 person after conflict: $(ct a2 dump person)"

# 4. Scoping: GNT's cache gets nothing of BRU; its own person stays in GNT.
sync_ok b1
[ "$(count b1 "SELECT count(*) FROM person")" = 0 ] || fail "b1 pulled BRU persons: $(ct b1 dump person)"
[ "$(count b1 "SELECT count(*) FROM staff")" = 0 ] || fail "b1 pulled BRU staff"
[ "$(count b1 "SELECT code FROM centre")" = GNT ] || fail "b1 centre: $(ct b1 dump centre)"
hs b1 --login gdir staff add --login gdir --role director --family Goris --given Greet >/dev/null 2>&1 ||
	fail "staff add b1"
ct b1 gdir add-person Janssens Els >/dev/null || fail "add-person b1"
sync_ok b1
sync_ok a1
[ "$(count a1 "SELECT count(*) FROM person WHERE family_name = 'Janssens'")" = 0 ] ||
	fail "a1 pulled a GNT person"

# 4b. Contact forms from the public website reach the right centre's
# cache and no other: by the INSZ of a known person, by postcode area.
form() {
	curl -s -o "$t/form.out" -w '%{http_code}' -H "Handesk-Site-Key: $site_key" \
		-H 'Content-Type: application/json' --data-binary "$1" \
		"http://127.0.0.1:$srv_port/v1/contact-forms"
}
code=$(form '{"name":"Jan Peeters","email":"jan@example.be","language":"nl","subject":"Verlenging","message":"Ik heb meer tijd nodig.","insz":"85073003328"}')
[ "$code" = 201 ] || fail "contact form by INSZ: $code $(cat "$t/form.out")"
code=$(form '{"name":"Marie Dubois","phone":"02 123 45 67","language":"fr","subject":"Rendez-vous","message":"Bonjour,\nune question.","postcode":"1050"}')
[ "$code" = 201 ] || fail "contact form by postcode: $code $(cat "$t/form.out")"
code=$(form '{"name":"Els Claes","email":"els@example.be","language":"nl","subject":"Vraag","message":"Hallo","postcode":"9000"}')
[ "$code" = 201 ] || fail "contact form to the default centre: $code $(cat "$t/form.out")"
sync_ok a1
sync_ok b1
[ "$(count a1 "SELECT group_concat(name, '|') FROM (SELECT name FROM contact_form ORDER BY name)")" = "Jan Peeters|Marie Dubois" ] ||
	fail "BRU's cache has the forms: $(ct a1 dump contact_form)"
[ "$(count a1 "SELECT person_id FROM contact_form WHERE name = 'Jan Peeters'")" = "$pid" ] ||
	fail "the form is not linked to the person: $(ct a1 dump contact_form)"
[ "$(count b1 "SELECT group_concat(name, '|') FROM contact_form")" = "Els Claes" ] ||
	fail "GNT's cache has the forms: $(ct b1 dump contact_form)"

# 5. A revoked token: refused in words, the unsent change kept.
ct a2 dir set-person "$pid" notes "after revoke" || fail "a2 notes"
hd token revoke a2 >/dev/null || fail "revoke a2"
hs a2 sync >"$t/a2.sync" 2>&1 && fail "sync with a revoked token succeeded"
grep -qi "token" "$t/a2.sync" || fail "revoked token: no word of the token: $(cat "$t/a2.sync")"
[ "$(count a2 "SELECT count(*) FROM outbox")" -gt 0 ] || fail "a2 lost its unsent change"
[ "$(count a2 "SELECT notes FROM person WHERE id = '$pid'")" = "after revoke" ] || fail "a2 notes lost"

# 6. Every cache of BRU equals the central store (rows and versions).
central_rows() {
	q -c "SELECT r.entity || ' ' || r.id || ' ' || r.version || ' ' || (CASE WHEN r.deleted THEN 1 ELSE 0 END)
	      FROM record r JOIN centre c ON c.id = r.centre_id
	      WHERE c.code = '$1' AND r.entity <> 'centre' ORDER BY 1" | sort
}
sync_ok a1
central_rows BRU >"$t/central.rows"
ct a1 rows | grep -v '^centre ' | sort >"$t/a1.rows"
cmp -s "$t/central.rows" "$t/a1.rows" ||
	fail "a1 differs from the central store: $(diff "$t/central.rows" "$t/a1.rows" | head -20)"

# 7. Many caches pushing at once while others pull: nothing skipped.
n=4
i=1
while [ $i -le $n ]; do
	hk_cache p$i BRU
	sync_ok p$i
	i=$((i + 1))
done
hk_cache r1 BRU
hk_cache r2 BRU
i=1
while [ $i -le $n ]; do
	(
		j=1
		while [ $j -le 15 ]; do
			ct p$i dir add-person "Push$i" "N$j" >/dev/null || exit 1
			hs p$i sync >/dev/null 2>&1 || exit 1
			j=$((j + 1))
		done
	) &
	eval "pusher$i=\$!"
	i=$((i + 1))
done
(
	while [ ! -f "$t/stop" ]; do
		hs r1 sync >/dev/null 2>&1
		hs r2 sync >/dev/null 2>&1
	done
) &
puller=$!
i=1
while [ $i -le $n ]; do
	eval "wait \$pusher$i" || fail "pusher $i failed"
	i=$((i + 1))
done
touch "$t/stop"
wait $puller
sync_ok r1
sync_ok r2
central_rows BRU >"$t/central.rows"
[ "$(grep -c '^person ' "$t/central.rows")" -ge $((n * 15 + 1)) ] || fail "central persons missing"
for c in r1 r2; do
	ct $c rows | grep -v '^centre ' | sort >"$t/$c.rows"
	cmp -s "$t/central.rows" "$t/$c.rows" ||
		fail "$c differs from the central store: $(diff "$t/central.rows" "$t/$c.rows" | head -20)"
done
ct r1 dump >"$t/r1.dump"
ct r2 dump >"$t/r2.dump"
cmp -s "$t/r1.dump" "$t/r2.dump" || fail "r1 and r2 differ: $(diff "$t/r1.dump" "$t/r2.dump" | head)"

hd_stop srv
[ "$hd_status" -eq 0 ] || fail "handeskd exit status $hd_status"
exit 0
