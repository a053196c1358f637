#!/bin/sh
# sync_server.sh: the server side of the sync protocol (handesk-sync(7)):
# handeskd against a real throwaway PostgreSQL, driven with curl.  Push
# insert, update, delete; a replayed batch answers byte for byte; a change
# id seen before; disjoint fields merge, the same field conflicts (and the
# conflict record is pulled); append-only audit; an invalid INSZ rejected;
# 400/401/415 for bad requests; centre A's rows never reach centre B (over
# HTTP, and in psql as handesk_centre); pull paging and its cursor, which
# never skips a row committed late by a concurrent transaction; snapshot
# paging and its pull cursor; gzip.  Skipped where PostgreSQL is missing.
HANDESKD=${HANDESKD:-./handeskd}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
	. "$top_srcdir/tests/integration/pg.sh"
else
	. "$(dirname "$0")/../lib.sh"
	. "$(dirname "$0")/pg.sh"
fi
[ -n "$HANDESKD" ] && [ -x "$HANDESKD" ] || skip "no handeskd binary at '$HANDESKD'"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
export HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB

pg_cluster "$@"

# --- inside the throwaway cluster (the PG* variables lead to it) ---
t=$T_TMP
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
server_pid=
late_pid=
cleanup() {
	for p in $server_pid $late_pid $(cat "$T_TMP/hd.pid" 2>/dev/null); do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

"$HANDESKD" migrate >/dev/null || fail "migrate"
"$HANDESKD" centre add --code BRU --name "Centre de Bruxelles" --language fr >/dev/null ||
	fail "centre add BRU"
"$HANDESKD" centre add --code GNT --name "Centrum Gent" --language nl >/dev/null ||
	fail "centre add GNT"
tokA=$("$HANDESKD" token add --centre BRU --name ws-a 2>/dev/null) || fail "token add BRU"
tokB=$("$HANDESKD" token add --centre GNT --name ws-b 2>/dev/null) || fail "token add GNT"
idA=$(q -c "SELECT id FROM centre WHERE code = 'BRU'")
idB=$(q -c "SELECT id FROM centre WHERE code = 'GNT'")

"$HANDESKD" serve --listen 127.0.0.1:0 --threads 4 >"$t/serve.out" 2>"$t/serve.err" &
server_pid=$!
port=
i=0
while [ $i -lt 100 ]; do
	port=$(sed -n 's/^handeskd: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$t/serve.out")
	[ -n "$port" ] && break
	kill -0 "$server_pid" 2>/dev/null || fail "handeskd serve died: $(cat "$t/serve.err")"
	sleep 0.1
	i=$((i + 1))
done
[ -n "$port" ] || fail "handeskd serve did not say where it listens: $(cat "$t/serve.err")"
base=http://127.0.0.1:$port

# get PATH TOKEN [CURL ARG]...: status in $code, body in $t/body.
get() {
	_p=$1 _tok=$2
	shift 2
	code=$(curl -s -o "$t/body" -w '%{http_code}' -H "Authorization: Bearer $_tok" "$@" "$base$_p")
}
# push FILE TOKEN: POST the body in FILE to /v1/push.
push() {
	code=$(curl -s -o "$t/body" -w '%{http_code}' -H "Authorization: Bearer $2" \
		-H 'Content-Type: application/json' --data-binary "@$1" "$base/v1/push")
}
# js PATH [FILE]: the value at PATH ({results,0,status}) of the JSON in
# FILE (default the last body), as text; read by PostgreSQL, which the
# test has anyway.
js() {
	printf "SELECT (:'j')::jsonb #>> '%s'" "$1" | q -v j="$(cat "${2:-$t/body}")"
}
uuid() { cat /proc/sys/kernel/random/uuid; }
# insz YYMMDDSSS: with its check digits (born before 2000).
insz() { printf '%09d%02d' "$1" $((97 - $1 % 97)); }
now=2026-11-20T10:00:00.000Z
staff=$(uuid)
# change ID ENTITY OP ROW BASE_VERSION FIELDS [BASE]: one change object.
change() {
	printf '{"change":"%s","entity":"%s","op":"%s","id":"%s","base_version":%s,"updated_at":"%s","updated_by":"%s","fields":%s%s}' \
		"$1" "$2" "$3" "$4" "$5" "$now" "$staff" "$6" "${7:+,\"base\":$7}"
}
# batch FILE CHANGE...: a batch with a new id into FILE.
batch() {
	_f=$1
	shift
	printf '{"batch":"%s","changes":[' "$(uuid)" >"$_f"
	_sep=
	for _c in "$@"; do
		printf '%s%s' "$_sep" "$_c" >>"$_f"
		_sep=,
	done
	printf ']}' >>"$_f"
}
expect_status() {
	[ "$(js "{results,$1,status}")" = "$2" ] ||
		fail "change $1: status '$(js "{results,$1,status}")', not $2: $(cat "$t/body")"
}

# /v1/hello names the centre of the token.
get /v1/hello "$tokA"
[ "$code" = 200 ] || fail "hello: $code $(cat "$t/body")"
[ "$(js '{centre_id}')" = "$idA" ] || fail "hello centre_id: $(cat "$t/body")"
[ "$(js '{centre_name}')" = "Centre de Bruxelles" ] || fail "hello centre_name: $(cat "$t/body")"
[ "$(js '{centre_language}')" = fr ] || fail "hello centre_language: $(cat "$t/body")"
js '{time}' | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' ||
	fail "hello time: $(cat "$t/body")"

# --- push: insert ---
p1=$(uuid) p2=$(uuid) a1=$(uuid)
insz1=$(insz 850730033)
batch "$t/b1" \
	"$(change c1:1 person insert "$p1" 0 "{\"insz\":\"$insz1\",\"family_name\":\"Peeters\",\"given_name\":\"Jan\",\"phone\":\"+32470123456\",\"email\":\"\"}")" \
	"$(change c1:2 person insert "$p2" 0 '{"family_name":"Dupont","given_name":"Anne"}')" \
	"$(change c1:3 audit insert "$a1" 0 "{\"at\":\"$now\",\"staff_id\":\"$staff\",\"role\":\"reception\",\"person_id\":\"$p1\",\"action\":\"create\",\"detail\":\"\"}")"
push "$t/b1" "$tokA"
[ "$code" = 200 ] || fail "push b1: $code $(cat "$t/body")"
cp "$t/body" "$t/r1"
for i in 0 1 2; do expect_status $i applied; done
[ "$(js '{results,0,change}')" = c1:1 ] || fail "result change id: $(cat "$t/body")"
[ "$(js '{results,0,row,centre_id}')" = "$idA" ] || fail "row centre: $(cat "$t/body")"
[ "$(js '{results,0,row,data,insz}')" = "$insz1" ] || fail "row insz: $(cat "$t/body")"
[ "$(js '{results,1,row,data,phone}')" = "" ] || fail "defaults of an insert: $(cat "$t/body")"
[ "$(js '{results,1,row,deleted}')" = false ] || fail "row deleted: $(cat "$t/body")"
[ "$(js '{results,0,row,updated_at}')" = "$now" ] || fail "updated_at: $(cat "$t/body")"
[ "$(js '{results,0,row,updated_by}')" = "$staff" ] || fail "updated_by: $(cat "$t/body")"
v1=$(js '{results,0,version}')
[ "$v1" -gt 0 ] 2>/dev/null || fail "version '$v1'"
[ "$(js '{results,1,version}')" -gt "$v1" ] || fail "versions do not increase: $(cat "$t/body")"

# The same batch again: the same bytes, nothing written.
seq_before=$(q -c "SELECT last_value FROM record_version")
push "$t/b1" "$tokA"
[ "$code" = 200 ] || fail "replayed b1: $code"
cmp -s "$t/body" "$t/r1" || fail "replayed batch answers differently: $(cat "$t/body") / $(cat "$t/r1")"
[ "$(q -c "SELECT last_value FROM record_version")" = "$seq_before" ] ||
	fail "a replayed batch wrote"
[ "$(q -c "SELECT count(*) FROM record WHERE centre_id = '$idA' AND entity <> 'centre'")" = 3 ] ||
	fail "rows after the replay"
# ...but not for another centre: batch ids belong to their centre.
push "$t/b1" "$tokB"
expect_status 0 rejected # the row id exists, in another centre
[ "$(js '{results,0,reason}')" = "id already exists" ] || fail "B inserting A's id: $(cat "$t/body")"

# A change id applied before, in a new batch: duplicate with the row.
batch "$t/b2" "$(change c1:1 person insert "$p1" 0 '{"family_name":"Other"}')"
push "$t/b2" "$tokA"
expect_status 0 duplicate
[ "$(js '{results,0,version}')" = "$v1" ] || fail "duplicate version: $(cat "$t/body")"
[ "$(js '{results,0,row,data,family_name}')" = Peeters ] || fail "duplicate row: $(cat "$t/body")"
# The same id inserted again with the same fields: duplicate; other fields: rejected.
batch "$t/b3" \
	"$(change c2:1 person insert "$p2" 0 '{"family_name":"Dupont","given_name":"Anne"}')" \
	"$(change c2:2 person insert "$p2" 0 '{"family_name":"Durand"}')"
push "$t/b3" "$tokA"
expect_status 0 duplicate
expect_status 1 rejected
[ "$(js '{results,1,reason}')" = "id already exists" ] || fail "insert existing: $(cat "$t/body")"

# --- update ---
batch "$t/b4" "$(change c3:1 person update "$p1" "$v1" '{"phone":"+32471111111"}' '{"phone":"+32470123456"}')"
push "$t/b4" "$tokA"
expect_status 0 applied
v2=$(js '{results,0,version}')
[ "$v2" -gt "$v1" ] || fail "update version $v2 after $v1"
[ "$(js '{results,0,row,data,phone}')" = "+32471111111" ] || fail "update: $(cat "$t/body")"
[ "$(js '{results,0,row,data,family_name}')" = Peeters ] || fail "update lost a field"

# Disjoint fields merge: based on v1, e-mail changed (the phone changed since).
batch "$t/b5" "$(change c4:1 person update "$p1" "$v1" '{"email":"jan@example.be"}' '{"email":""}')"
push "$t/b5" "$tokA"
expect_status 0 applied
[ "$(js '{results,0,row,data,email}')" = "jan@example.be" ] || fail "merge email: $(cat "$t/body")"
[ "$(js '{results,0,row,data,phone}')" = "+32471111111" ] || fail "merge lost the phone: $(cat "$t/body")"
v3=$(js '{results,0,version}')

# The same field changed on both sides: a conflict record, nothing applied.
batch "$t/b6" "$(change c5:1 person update "$p1" "$v1" '{"phone":"+32472222222","given_name":"Johan"}' '{"phone":"+32470123456","given_name":"Jan"}')"
push "$t/b6" "$tokA"
expect_status 0 conflict
[ "$(js '{results,0,fields}')" = '["phone"]' ] || fail "conflict fields: $(cat "$t/body")"
[ "$(js '{results,0,row,version}')" = "$v3" ] || fail "conflict row: $(cat "$t/body")"
[ "$(js '{results,0,row,data,phone}')" = "+32471111111" ] || fail "conflict applied: $(cat "$t/body")"
[ "$(js '{results,0,row,data,given_name}')" = Jan ] || fail "conflict applied part: $(cat "$t/body")"
[ "$(js '{results,0,conflict,entity}')" = conflict ] || fail "conflict record: $(cat "$t/body")"
conflict_id=$(js '{results,0,conflict,id}')
[ "$(js '{results,0,conflict,data,row_id}')" = "$p1" ] || fail "conflict row_id: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,fields}')" = phone ] || fail "conflict data fields: $(cat "$t/body")"
cp "$t/body" "$t/r6"
printf '%s' "$(js '{results,0,conflict,data,theirs}' "$t/r6")" >"$t/theirs"
[ "$(js '{phone}' "$t/theirs")" = "+32471111111" ] || fail "theirs: $(cat "$t/theirs")"
[ "$(js '{version}' "$t/theirs")" = "$v3" ] || fail "theirs version: $(cat "$t/theirs")"
printf '%s' "$(js '{results,0,conflict,data,ours}' "$t/r6")" >"$t/ours"
[ "$(js '{phone}' "$t/ours")" = "+32472222222" ] || fail "ours: $(cat "$t/ours")"

# Append-only: the audit entry cannot change.
batch "$t/b7" "$(change c6:1 audit update "$a1" 1 '{"detail":"forged"}')" \
	"$(change c6:2 audit delete "$a1" 1 '{}')"
push "$t/b7" "$tokA"
expect_status 0 rejected
expect_status 1 rejected
js '{results,0,reason}' | grep -q "append-only" || fail "audit update: $(cat "$t/body")"

# Invalid values are rejected, the rest of the batch applies.
p3=$(uuid) p4=$(uuid)
batch "$t/b8" \
	"$(change c7:1 person insert "$p3" 0 '{"family_name":"X","insz":"85073003329"}')" \
	"$(change c7:2 person insert "$p4" 0 '{"family_name":"Claes","birth_date":"1990-02-30"}')" \
	"$(change c7:3 nosuch insert "$p4" 0 '{}')" \
	"$(change c7:4 person insert "$p4" 0 '{"family_name":"Claes","shoe":"42"}')" \
	"$(change c7:5 person insert "$p4" 0 '{"family_name":"Claes","given_name":"Eva"}')"
push "$t/b8" "$tokA"
for i in 0 1 2 3; do expect_status $i rejected; done
expect_status 4 applied
js '{results,0,reason}' | grep -q "^insz: " || fail "invalid INSZ reason: $(cat "$t/body")"
js '{results,1,reason}' | grep -q "^birth_date: " || fail "invalid date reason: $(cat "$t/body")"
[ "$(q -c "SELECT count(*) FROM record WHERE id = '$p3'")" = 0 ] || fail "invalid INSZ stored"

# A second living person with the same INSZ: a conflict with the holder.
p5=$(uuid)
batch "$t/b9" "$(change c8:1 person insert "$p5" 0 "{\"family_name\":\"Peters\",\"insz\":\"$insz1\"}")"
push "$t/b9" "$tokA"
expect_status 0 conflict
[ "$(js '{results,0,row,id}')" = "$p1" ] || fail "INSZ conflict holder: $(cat "$t/body")"
[ "$(js '{results,0,fields}')" = '["insz"]' ] || fail "INSZ conflict fields: $(cat "$t/body")"
# An update taking an INSZ held by another person: a conflict with the
# holder, the rest of the batch applied (the change alone rolled back).
v_p4=$(q -c "SELECT version FROM record WHERE id = '$p4'")
batch "$t/b9u" "$(change c8:2 person update "$p4" "$v_p4" "{\"insz\":\"$insz1\",\"given_name\":\"Eva\"}")" \
	"$(change c8:3 person update "$p4" "$v_p4" '{"given_name":"Evi"}')"
push "$t/b9u" "$tokA"
expect_status 0 conflict
expect_status 1 applied
[ "$(js '{results,0,row,id}')" = "$p1" ] || fail "INSZ update conflict holder: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,ours}')" = "{\"given_name\":\"Eva\",\"insz\":\"$insz1\"}" ] ||
	fail "INSZ update conflict ours: $(cat "$t/body")"
js '{results,0,conflict,data,theirs}' | grep -q "\"id\":\"$p1\"" ||
	fail "INSZ update conflict theirs: $(cat "$t/body")"
[ "$(q -c "SELECT data ->> 'insz' FROM record WHERE id = '$p4'")" = "" ] || fail "INSZ update applied"
# Several fields in conflict (the phone merges): named in the order sent,
# the texts compact with sorted keys.
v_p4=$(js '{results,1,version}')
batch "$t/b9n" "$(change c8:4 person update "$p4" $((v_p4 - 1)) '{"phone":"+32473333333","family_name":"D","email":"f@x.be"}' '{"phone":"","email":"x","family_name":"Old"}')"
push "$t/b9n" "$tokA"
expect_status 0 conflict
[ "$(js '{results,0,fields}')" = '["family_name", "email"]' ] || fail "conflict fields order: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,fields}')" = family_name,email ] || fail "conflict data fields: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,ours}')" = '{"email":"f@x.be","family_name":"D","phone":"+32473333333"}' ] ||
	fail "conflict ours: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,theirs}')" = "{\"email\":\"\",\"family_name\":\"Claes\",\"phone\":\"\",\"version\":$v_p4}" ] ||
	fail "conflict theirs: $(cat "$t/body")"
[ "$(js '{results,0,conflict,data,base}')" = '{"email":"x","family_name":"Old","phone":""}' ] ||
	fail "conflict base: $(cat "$t/body")"

# --- delete ---
v_p4=$(q -c "SELECT version FROM record WHERE id = '$p4'")
batch "$t/b10" "$(change c9:1 person delete "$p4" "$v_p4" '{}')" \
	"$(change c9:2 person delete "$p2" 0 '{}')" \
	"$(change c9:3 person update "$(uuid)" 1 '{"family_name":"Nobody"}')"
push "$t/b10" "$tokA"
expect_status 0 applied
[ "$(js '{results,0,row,deleted}')" = true ] || fail "tombstone: $(cat "$t/body")"
expect_status 1 conflict # deleted here, inserted (version > 0) there
[ "$(js '{results,1,fields}')" = '["deleted"]' ] || fail "delete conflict: $(cat "$t/body")"
expect_status 2 rejected
[ "$(js '{results,2,reason}')" = "no such row" ] || fail "update unknown: $(cat "$t/body")"
batch "$t/b11" "$(change c10:1 person delete "$p4" "$v_p4" '{}')" \
	"$(change c10:2 person update "$p4" "$v_p4" '{"given_name":"Eve"}')"
push "$t/b11" "$tokA"
expect_status 0 duplicate
expect_status 1 conflict
[ "$(js '{results,1,fields}')" = '["deleted"]' ] || fail "update of a tombstone: $(cat "$t/body")"

# The same new batch twice at once: one applies it, the other waits and
# gets its answer.
pc=$(uuid)
batch "$t/b14" "$(change c13:1 person insert "$pc" 0 '{"family_name":"Twice"}')"
for n in 1 2; do
	curl -s -o "$t/twice$n" -H "Authorization: Bearer $tokA" \
		-H 'Content-Type: application/json' --data-binary "@$t/b14" "$base/v1/push" &
	eval "tw$n=\$!"
done
wait "$tw1" && wait "$tw2" || fail "concurrent pushes"
cmp -s "$t/twice1" "$t/twice2" || fail "concurrent replays differ: $(cat "$t/twice1" "$t/twice2")"
[ "$(js '{results,0,status}' "$t/twice1")" = applied ] || fail "concurrent: $(cat "$t/twice1")"

# --- bad requests: nothing applied ---
count_before=$(q -c "SELECT count(*) FROM record")
printf 'not json' >"$t/bad"
push "$t/bad" "$tokA"
[ "$code" = 400 ] || fail "not JSON: $code"
[ "$(js '{error}')" = bad_request ] || fail "400 body: $(cat "$t/body")"
js '{request_id}' | grep -q . || fail "400 without a request id"
for body in '{}' '[]' '{"batch":"x","changes":[]}' "{\"batch\":\"$(uuid)\"}" \
	"{\"batch\":\"$(uuid)\",\"changes\":{}}" "{\"batch\":\"$(uuid)\",\"changes\":[1]}" \
	"{\"batch\":\"$(uuid)\",\"changes\":[{\"entity\":\"person\"}]}" \
	"{\"batch\":\"$(uuid)\",\"changes\":[$(change ok:1 person insert "$(uuid)" 0 '{"family_name":"A"}'),2]}"; do
	printf '%s' "$body" >"$t/bad"
	push "$t/bad" "$tokA"
	[ "$code" = 400 ] || fail "malformed body '$body': $code $(cat "$t/body")"
done
# More than 1000 changes.
{
	printf '{"batch":"%s","changes":[' "$(uuid)"
	i=0
	while [ $i -le 1000 ]; do
		[ $i -gt 0 ] && printf ','
		printf '{"change":"m:%d","entity":"person","op":"insert","id":"%s","updated_at":"%s","fields":{"family_name":"M"}}' \
			$i "$(uuid)" "$now"
		i=$((i + 1))
	done
	printf ']}'
} >"$t/big"
push "$t/big" "$tokA"
[ "$code" = 400 ] || fail "1001 changes: $code"
[ "$(q -c "SELECT count(*) FROM record")" = "$count_before" ] || fail "a bad request wrote"
code=$(curl -s -o "$t/body" -w '%{http_code}' -H "Authorization: Bearer $tokA" \
	--data-binary @"$t/b1" "$base/v1/push")
[ "$code" = 415 ] || fail "form-encoded push: $code"
code=$(curl -s -o "$t/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$t/b1" "$base/v1/push")
[ "$code" = 401 ] || fail "push without token: $code"
get /v1/push "$tokA"
[ "$code" = 405 ] || fail "GET /v1/push: $code"
get "/v1/pull?cursor=nonsense" "$tokA"
[ "$code" = 400 ] || fail "bad cursor: $code"
get "/v1/pull?limit=0" "$tokA"
[ "$code" = 400 ] || fail "limit 0: $code"
get "/v1/snapshot?after=v1.1.1" "$tokA"
[ "$code" = 400 ] || fail "bad after: $code"

# --- scope: centre B never sees centre A ---
pB=$(uuid)
batch "$t/bB" "$(change cB:1 person insert "$pB" 0 "{\"family_name\":\"Janssens\",\"insz\":\"$insz1\"}")" \
	"$(change cB:2 person update "$p1" "$v3" '{"phone":"+32473333333"}')"
push "$t/bB" "$tokB"
expect_status 0 applied # the same INSZ in another centre is no conflict
expect_status 1 rejected
[ "$(js '{results,1,reason}')" = "no such row" ] || fail "B updating A's row: $(cat "$t/body")"
get "/v1/pull?limit=5000" "$tokB"
[ "$code" = 200 ] || fail "pull B: $code"
grep -q "$idA" "$t/body" && fail "centre B pulled a row of centre A: $(cat "$t/body")"
grep -q "$p1" "$t/body" && fail "centre B pulled person p1"
grep -q "$pB" "$t/body" || fail "centre B did not pull its own row"
[ "$(js '{rows,0,entity}')" = centre ] || fail "centre row first: $(cat "$t/body")"
[ "$(js '{rows,0,data,code}')" = GNT ] || fail "B's centre row: $(cat "$t/body")"
get "/v1/snapshot" "$tokB"
grep -q "$idA" "$t/body" && fail "centre B's snapshot has rows of centre A"
# In the database itself, as the role handesk_centre: row-level security.
seen=$(q <<EOF
SET ROLE handesk_centre;
SELECT set_config('handesk.centre_id', '$idB', false);
SELECT count(*) FROM record WHERE centre_id = '$idA';
EOF
)
[ "$(echo "$seen" | tail -1)" = 0 ] || fail "handesk_centre acting for B sees A's rows: $seen"
seen=$(q <<EOF
SET ROLE handesk_centre;
SELECT set_config('handesk.centre_id', '$idB', false);
SELECT count(*) FROM record;
EOF
)
[ "$(echo "$seen" | tail -1)" = 2 ] || fail "handesk_centre acting for B: $seen rows, not 2"
seen=$(q -c "SET ROLE handesk_centre" -c "SELECT count(*) FROM record")
[ "$seen" = 0 ] || fail "handesk_centre without a centre sees $seen rows"
q <<EOF >/dev/null 2>"$t/err" && fail "handesk_centre acting for B wrote a row of A"
SET ROLE handesk_centre;
SELECT set_config('handesk.centre_id', '$idB', false);
INSERT INTO record (entity, id, centre_id, version, updated_at, data)
VALUES ('person', gen_random_uuid(), '$idA', 1, now(), '{}');
EOF
grep -q "row-level security" "$t/err" || fail "no RLS error: $(cat "$t/err")"

# --- pull: pages, cursor, has_more ---
# pullall TOKEN LIMIT [CURSOR]: every page into $t/pulled (ids and
# versions, one a line), the last cursor in $cursor, pages in $pages.
pullall() {
	: >"$t/pulled"
	cursor=${3:-}
	pages=0
	while :; do
		get "/v1/pull?limit=$2${cursor:+&cursor=$cursor}" "$1"
		[ "$code" = 200 ] || fail "pull: $code $(cat "$t/body")"
		pages=$((pages + 1))
		printf "SELECT r->>'id', r->>'version' FROM jsonb_array_elements((:'j')::jsonb->'rows') r" |
			q -F ' ' -v j="$(cat "$t/body")" >>"$t/pulled"
		cursor=$(js '{cursor}')
		[ "$(js '{has_more}')" = true ] || break
		[ $pages -lt 100 ] || fail "pull does not end"
	done
}
pullall "$tokA" 3
want=$(q -c "SELECT count(*) FROM record WHERE centre_id = '$idA'")
[ "$(wc -l <"$t/pulled")" = "$want" ] || fail "pulled $(wc -l <"$t/pulled") rows, not $want"
[ "$(cut -d' ' -f1 "$t/pulled" | sort | uniq -d)" = "" ] || fail "a row pulled twice"
[ "$pages" = $(((want + 2) / 3)) ] || fail "$pages pages of 3 for $want rows"
grep -q "^$p4 " "$t/pulled" || fail "the tombstone was not pulled"
grep -q "^$conflict_id " "$t/pulled" || fail "the conflict record was not pulled"
echo "$cursor" | grep -qE '^v1\.[0-9]+\.[0-9]+$' || fail "cursor '$cursor'"
# Nothing new: an empty page, the same cursor.
get "/v1/pull?cursor=$cursor" "$tokA"
[ "$(js '{rows}')" = "[]" ] && [ "$(js '{has_more}')" = false ] &&
	[ "$(js '{cursor}')" = "$cursor" ] || fail "pull at the end: $(cat "$t/body")"

# Transaction ids across a power of ten (999 -> 1000): pages follow the
# numbers, not their text ("1000" sorts before "998"), so a cursor never
# jumps over the rest of the lower ones.  Burn ids up to just below the next
# power of ten, then write six persons, one transaction each, and pull them
# two at a time.
x=$(q -c "SELECT pg_current_xact_id()")
p10=10
while [ $p10 -le $((x + 20)) ]; do p10=$((p10 * 10)); done
i=$((x + 1))
while [ $i -lt $((p10 - 3)) ]; do
	echo "SELECT pg_current_xact_id();"
	i=$((i + 1))
done | q >/dev/null || fail "burning transaction ids"
pullall "$tokA" 5000
edge=$cursor
: >"$t/edge.ids"
for n in 1 2 3 4 5 6; do
	e=$(uuid)
	echo "$e" >>"$t/edge.ids"
	batch "$t/be$n" "$(change edge:$n person insert "$e" 0 "{\"family_name\":\"Edge$n\"}")"
	push "$t/be$n" "$tokA"
	[ "$code" = 200 ] || fail "edge push $n: $code $(cat "$t/body")"
done
[ "$(q -c "SELECT min(txid::text::bigint) < $p10 AND max(txid::text::bigint) >= $p10 FROM record WHERE data->>'family_name' LIKE 'Edge%'")" = t ] ||
	fail "the edge rows do not straddle $p10: $(q -c "SELECT txid FROM record WHERE data->>'family_name' LIKE 'Edge%'")"
pullall "$tokA" 2 "$edge"
for e in $(cat "$t/edge.ids"); do
	grep -q "^$e " "$t/pulled" || fail "pull across txid $p10 skipped $e: $(cat "$t/pulled")"
done

# A transaction that writes first and commits last is never skipped: while
# it runs, rows committed after it are held back too.
late=$(uuid)
{
	echo "BEGIN;"
	echo "INSERT INTO record (entity, id, centre_id, version, updated_at, data) VALUES ('person', '$late', '$idA', nextval('record_version'), now(), '{\"family_name\":\"Late\"}');"
	echo "SELECT pg_sleep(3);"
	echo "COMMIT;"
} | q >/dev/null 2>&1 &
late_pid=$!
i=0
until [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the late transaction did not start"
	sleep 0.1
done
early=$(uuid)
batch "$t/b12" "$(change c11:1 person insert "$early" 0 '{"family_name":"Early"}')"
push "$t/b12" "$tokA"
expect_status 0 applied
get "/v1/pull?cursor=$cursor" "$tokA"
grep -q "$early" "$t/body" && fail "a row past a running transaction was pulled: $(cat "$t/body")"
[ "$(js '{cursor}')" = "$cursor" ] || fail "the cursor moved past a running transaction"
wait "$late_pid" || fail "the late transaction failed"
late_pid=
pullall "$tokA" 500 "$cursor"
[ "$(cut -d' ' -f1 "$t/pulled" | tr '\n' ' ')" = "$late $early " ] ||
	fail "after the late commit: $(cat "$t/pulled")"

# --- snapshot: pages, the same pull cursor on each ---
: >"$t/snap"
after=
pages=0
snapcursor=
while :; do
	get "/v1/snapshot?limit=2${after:+&after=$after}" "$tokA"
	[ "$code" = 200 ] || fail "snapshot: $code $(cat "$t/body")"
	pages=$((pages + 1))
	[ -z "$snapcursor" ] && snapcursor=$(js '{cursor}')
	[ "$(js '{cursor}')" = "$snapcursor" ] || fail "snapshot pages name different cursors"
	printf "SELECT r->>'id' FROM jsonb_array_elements((:'j')::jsonb->'rows') r" |
		q -v j="$(cat "$t/body")" >>"$t/snap"
	after=$(js '{after}')
	more=$(js '{has_more}')
	if [ $pages = 1 ]; then
		# A change during the snapshot comes again from its cursor.
		v_e=$(q -c "SELECT version FROM record WHERE id = '$early'")
		batch "$t/b13" "$(change c12:1 person update "$early" "$v_e" '{"given_name":"Mid"}')"
		push "$t/b13" "$tokA"
		expect_status 0 applied
	fi
	[ "$more" = true ] || break
	[ $pages -lt 100 ] || fail "snapshot does not end"
done
want=$(q -c "SELECT count(*) FROM record WHERE centre_id = '$idA' AND NOT deleted")
[ "$(sort -u "$t/snap" | wc -l)" = "$want" ] || fail "snapshot: $(sort -u "$t/snap" | wc -l) rows, not $want"
[ "$(wc -l <"$t/snap")" = "$want" ] || fail "snapshot returned a row twice"
grep -q "$p4" "$t/snap" && fail "snapshot has a tombstone"
pullall "$tokA" 500 "$snapcursor"
grep -q "^$early " "$t/pulled" || fail "a change during the snapshot is not pulled from its cursor"
grep -q "^$p1 " "$t/pulled" && fail "the snapshot cursor pulls old rows again"

# --- gzip ---
code=$(curl -s -D "$t/headers" -o "$t/gz" -w '%{http_code}' -H "Authorization: Bearer $tokA" \
	-H 'Accept-Encoding: gzip' "$base/v1/pull?limit=5000")
[ "$code" = 200 ] || fail "gzip pull: $code"
grep -qi '^content-encoding: gzip' "$t/headers" || fail "no gzip: $(cat "$t/headers")"
gzip -dc <"$t/gz" >"$t/plain" || fail "not gzip data"
[ "$(js '{has_more}' "$t/plain")" = false ] || fail "gunzipped pull: $(head -c 200 "$t/plain")"
code=$(curl -s -D "$t/headers" -o "$t/plain2" -w '%{http_code}' -H "Authorization: Bearer $tokA" \
	"$base/v1/pull?limit=5000")
grep -qi '^content-encoding' "$t/headers" && fail "gzip without Accept-Encoding"
cmp -s "$t/plain" "$t/plain2" || fail "gzip changes the body"
curl -s -D "$t/headers" -o /dev/null -H "Authorization: Bearer $tokA" -H 'Accept-Encoding: gzip' \
	"$base/v1/hello"
grep -qi '^content-encoding' "$t/headers" && fail "a small body was gzipped"
curl -s -D "$t/headers" -o /dev/null -H "Authorization: Bearer $tokA" \
	-H 'Accept-Encoding: gzip;q=0, identity' "$base/v1/pull?limit=5000"
grep -qi '^content-encoding' "$t/headers" && fail "gzip;q=0 was gzipped"

kill "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
[ $rc -eq 0 ] || fail "handeskd serve exit status $rc: $(cat "$t/serve.err")"

# --- handeskd as an ordinary role owning its database (no superuser, to
# whom row-level security does not apply): migrations, grants, a push and
# a pull work; the owner itself sees no row outside a sync request ---
q -c "CREATE ROLE hd LOGIN CREATEROLE PASSWORD 'hd-test'" -c "CREATE DATABASE hdb OWNER hd" ||
	fail "create role hd"
(
	export PGUSER=hd PGDATABASE=hdb PGPASSWORD=hd-test
	"$HANDESKD" migrate >/dev/null || fail "migrate as hd"
	"$HANDESKD" centre add --code BRU --name B --language fr >/dev/null || fail "centre as hd"
	tok=$("$HANDESKD" token add --centre BRU --name w 2>/dev/null) || fail "token as hd"
	"$HANDESKD" serve --listen 127.0.0.1:0 >"$t/hd.out" 2>"$t/hd.err" &
	echo $! >"$t/hd.pid"
	i=0
	until port=$(sed -n 's/^handeskd: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$t/hd.out") &&
		[ -n "$port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "handeskd as hd: $(cat "$t/hd.err")"
		sleep 0.1
	done
	base=http://127.0.0.1:$port
	ph=$(uuid)
	batch "$t/bh" "$(change h:1 person insert "$ph" 0 "{\"family_name\":\"H\",\"insz\":\"$insz1\"}")"
	push "$t/bh" "$tok"
	expect_status 0 applied
	get /v1/pull "$tok"
	grep -q "$ph" "$t/body" || fail "pull as hd: $code $(cat "$t/body")"
	[ "$(q -c 'SELECT count(*) FROM record')" = 0 ] || fail "the owner sees rows without RLS"
	kill "$(cat "$t/hd.pid")"
	wait "$(cat "$t/hd.pid")" 2>/dev/null
	rm -f "$t/hd.pid"
) || exit 1
exit 0
