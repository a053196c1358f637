#!/bin/sh
# bench_sync.sh BUILDDIR: the sync bars of design.md section 8 against a
# throwaway PostgreSQL and a handeskd on loopback (run by bench/run.sh).
#   1. Initial sync of BENCH_SYNC_ROWS person rows (default 1000000) of one
#      centre, seeded straight into the central store with SQL, by `handesk
#      sync` into a fresh cache: seconds, rows/s and the client's peak RSS,
#      against sqlite3's own `.import` of the same rows (CSV with the same
#      columns into a table with a UUID text primary key) in the same run.
#   2. 1,000 changes (500 persons registered with cachetool, each with its
#      audit row) pushed by one cache, and pulled by another (a small
#      centre of its own): milliseconds each way, whole `handesk sync` runs.
#   3. bench_load: 50 clients doing push/pull cycles against handeskd.
#   4. bench_keys -S: keystroke latency in handesk (curses) while it does
#      the initial sync of BENCH_KEYS_SYNC_ROWS persons (default 300000),
#      and while it pulls BENCH_KEYS_SYNC_CHANGES changes (default 50000),
#      against the same keys with the sync idle (BENCH_SYNC_KEYS_ONLY=1:
#      this one only).
# Medians of BENCH_SYNC_RUNS initial syncs (default 3) and of 5 rounds of
# changes.  Needs psql, sqlite3 and PostgreSQL's server programs (initdb as
# the postgres user when run as root, else pg_virtualenv); prints SKIP and
# exits 0 without them.  Exits 1 if a figure misses its bar.
set -u
build=${1:?usage: bench_sync.sh BUILDDIR}
build=$(cd "$build" && pwd) || exit 1
rows=${BENCH_SYNC_ROWS:-1000000}
runs=${BENCH_SYNC_RUNS:-3}
handesk=$build/handesk
handeskd=$build/handeskd
rss=$build/bench/bench_rss
load=$build/bench/bench_load
cachetool=$build/tests/integration/cachetool

skip() {
	echo "sync benchmarks: SKIP ($*)"
	exit 0
}

# --- a throwaway cluster (as tests/integration/pg.sh does), then this
# script again inside it with --inside ---
if [ "${2:-}" != --inside ]; then
	command -v psql >/dev/null 2>&1 || skip "psql not installed"
	command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 not installed"
	[ -x "$cachetool" ] || skip "no $cachetool (make check builds it)"
	for p in "$handesk" "$handeskd" "$rss" "$load" "$build/bench/bench_keys"; do
		[ -x "$p" ] || skip "no $p"
	done
	unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE
	pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	opts="-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200 -c shared_buffers=256MB -c autovacuum=off"
	if [ "$(id -u)" = 0 ] && [ -x "$pgbin/initdb" ] && command -v runuser >/dev/null 2>&1; then
		pgdir=$(mktemp -d "${TMPDIR:-/tmp}/handesk-benchpg.XXXXXX") || exit 1
		trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
		trap 'exit 130' INT TERM
		chown postgres "$pgdir" || exit 1
		runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres \
			--no-sync -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 ||
			{ cat "$pgdir/initdb.log"; exit 1; }
		runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/server.log" \
			-o "-c listen_addresses='' -c unix_socket_directories='$pgdir' $opts" \
			start >/dev/null 2>&1 || { cat "$pgdir/server.log"; exit 1; }
		PGHOST=$pgdir PGUSER=postgres PGDATABASE=postgres sh "$0" "$build" --inside
		exit $?
	fi
	command -v pg_virtualenv >/dev/null 2>&1 || skip "no initdb for root, no pg_virtualenv"
	exec pg_virtualenv -o fsync=off -o full_page_writes=off -o synchronous_commit=off \
		-o max_connections=200 -o shared_buffers=256MB -o autovacuum=off sh "$0" "$build" --inside
fi

# --- inside the cluster ---
t=$(mktemp -d "${TMPDIR:-/tmp}/handesk-benchsync.XXXXXX") || exit 1
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
status=0
export LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$t/xdg XDG_DATA_HOME=$t/xdg
unset LANGUAGE HANDESKD_DB
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
die() {
	echo "sync benchmarks: FAIL ($*)"
	exit 1
}
# median of the numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$handeskd" migrate >/dev/null || die "handeskd migrate"
"$handeskd" centre add --code BIG --name Groot --language nl >/dev/null || die "centre BIG"
"$handeskd" centre add --code SML --name Klein --language nl >/dev/null || die "centre SML"
"$handeskd" serve --listen 127.0.0.1:0 --threads 4 >"$t/srv.out" 2>/dev/null &
srv=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/^handeskd: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$t/srv.out")
	[ -n "$port" ] && break
	kill -0 "$srv" 2>/dev/null || die "handeskd serve died"
	sleep 0.1
done
[ -n "$port" ] || die "handeskd serve did not say where it listens"

# conf NAME CENTRE: a cache configuration with a new token of CENTRE.
conf() {
	tok=$("$handeskd" token add --centre "$2" --name "$1" 2>/dev/null) || die "token $1"
	(umask 077 && printf 'cache = %s\nserver = http://127.0.0.1:%s\ntoken = %s\n' \
		"$t/$1.db" "$port" "$tok" >"$t/$1.conf")
}
hs() {
	_c=$1
	shift
	"$handesk" --config "$t/$_c.conf" "$@"
}

# --- seed: persons of centre BIG, realistic names and INSZ-like numbers
# (date of birth, serial, 97-modulus check digits of the pre-2000 rule) ---
# seed CENTRE_ID N: N persons of the centre.
seed() {
q -v centre="$1" -v n="$2" <<'EOF'

SET synchronous_commit = off;
INSERT INTO record (entity, id, centre_id, version, updated_at, data)
SELECT 'person', gen_random_uuid(), :'centre', nextval('record_version'),
       timestamptz '2026-01-05 08:00:00Z' + i * interval '1 second',
       jsonb_build_object(
	'insz', yymmdd || serial || lpad((97 - ((yymmdd || serial)::bigint % 97))::text, 2, '0'),
	'family_name', (ARRAY['Peeters','Janssens','Maes','Jacobs','Mertens','Willems','Claes',
		'Goossens','Wouters','De Smet','Dubois','Lambert','Dupont','Martin','Simon',
		'Leclercq','Lefèvre','Müller','Verstraeten','Van den Broeck','Çelik','Hermans',
		'Vermeulen','Desmet','Lemaire','Renard','Schmitz','Noël','Öztürk','El Amrani'])
		[1 + (i * 7919) % 30],
	'given_name', (ARRAY['Jan','Marie','Luc','Sofie','Ahmed','Élise','Noël','Zoë','Pieter',
		'Anaïs','Jérôme','Fatima','Lotte','Thomas','Emma','Louis','Chloë','Mohamed',
		'Inès','Wout','Hélène','Bram','Saïd','Ann','François'])[1 + (i * 104729) % 25],
	'birth_date', to_char(born, 'YYYY-MM-DD'),
	'sex', CASE WHEN serial::int % 2 = 1 THEN 'm' ELSE 'f' END,
	'language', (ARRAY['nl','fr','de','nl','fr'])[1 + i % 5],
	'nationality', 'BE', 'residence', 'population',
	'street', (ARRAY['Kerkstraat','Stationsstraat','Rue de la Gare','Dorpstraat',
		'Chaussée de Louvain','Hauptstraße'])[1 + i % 6] || ' ' || (1 + i % 180),
	'postcode', (ARRAY['1000','2000','9000','4000','8000','4700'])[1 + i % 6],
	'municipality', (ARRAY['Brussel','Antwerpen','Gent','Liège','Brugge','Eupen'])[1 + i % 6],
	'phone', '+3247' || lpad((i % 10000000)::text, 7, '0'),
	'email', 'persoon' || i || '@example.be',
	'contact_name', '', 'contact_phone', '', 'contact_relation', '', 'notes', '')
FROM generate_series(1::bigint, :n) AS i,
     LATERAL (SELECT date '1930-01-01' + (i % 25000)::int AS born) b,
     LATERAL (SELECT to_char(born, 'YYMMDD') AS yymmdd,
                     lpad((1 + (i / 25000) % 997)::text, 3, '0') AS serial) s;
VACUUM ANALYZE record;
EOF
}

# --- 4 (first when BENCH_SYNC_KEYS_ONLY=1): keystrokes in the curses
# application during a large initial sync and a pull of many changes ---
keys_during_sync() {
	krows=${BENCH_KEYS_SYNC_ROWS:-300000}
	kchanges=${BENCH_KEYS_SYNC_CHANGES:-50000}
	echo "== keystrokes during a sync ($krows persons, then $kchanges changes)"
	"$handeskd" centre add --code KEY --name Toetsen --language nl >/dev/null || die "centre KEY"
	key=$(q -c "SELECT id FROM centre WHERE code = 'KEY'")
	conf keys KEY
	# The sync cycle at start-up and Ctrl-R only: no timer cycle in the baseline.
	echo "sync_interval = 86400" >>"$t/keys.conf"
	# A cache of the centre (it needs a staff record to start) while the
	# centre is still empty; then the persons, and the cache made to sync
	# from the start again: its first cycle is a whole initial snapshot.
	hs keys sync >/dev/null 2>&1 || die "first sync (keys)"
	hs keys --login dir staff add --login dir --role director --family Daems --given Dirk \
		>/dev/null 2>&1 || die "staff add (keys)"
	hs keys sync >/dev/null 2>&1 || die "second sync (keys)"
	seed "$key" "$krows" >/dev/null || die "seeding centre KEY"
	sqlite3 "$t/keys.db" "DELETE FROM sync_state WHERE key IN ('snapshot_done', 'snapshot_after', 'cursor')" ||
		die "sync state (keys)"
	# Persons, search keys, highest version: differs as long as the sync works.
	probe="sqlite3 -readonly $t/keys.db \"SELECT (SELECT n FROM tally WHERE name = 'person') || ' persons, ' || (SELECT count(*) FROM person_key) || ' search keys, version ' || (SELECT coalesce(max(version), 0) FROM person)\""
	update="psql -X -q -v ON_ERROR_STOP=1 -c \"UPDATE record SET version = nextval('record_version'), txid = pg_current_xact_id(), updated_at = now(), data = jsonb_set(data, '{phone}', to_jsonb('+3248' || lpad((version % 10000000)::text, 7, '0'))) WHERE id IN (SELECT id FROM record WHERE centre_id = '$key' AND entity = 'person' ORDER BY id LIMIT $kchanges)\""
	BENCH_LOGIN=dir "$build/bench/bench_keys" -q "${BENCH_KEYS_QUIET:-5}" -S "$t/keys.conf" \
		-p "$probe" -u "$update" "$handesk" || status=1
	got=$(sqlite3 "$t/keys.db" "SELECT count(*) FROM person") || die "count (keys)"
	[ "$got" = "$krows" ] || { echo "  the cache has $got persons, not $krows: FAIL"; status=1; }
	got=$(sqlite3 "$t/keys.db" "SELECT count(DISTINCT person_id) FROM person_key") || die "person_key (keys)"
	[ "$got" = "$krows" ] || { echo "  search index: $got persons of $krows: FAIL"; status=1; }
	got=$(sqlite3 "$t/keys.db" "SELECT count(*) FROM person WHERE phone LIKE '+3248%'")
	[ "$got" = "$kchanges" ] || { echo "  $got changes pulled, not $kchanges: FAIL"; status=1; }
	rm -f "$t/keys.db"*
}
if [ "${BENCH_SYNC_KEYS_ONLY:-}" = 1 ]; then
	keys_during_sync
	exit $status
fi

t0=$(now)
big=$(q -c "SELECT id FROM centre WHERE code = 'BIG'")
seed "$big" "$rows" || die "seeding the central store"
t1=$(now)
awk -v a="$t0" -v b="$t1" -v n="$rows" 'BEGIN { printf "seed: %d person rows into the central store in %.1f s\n", n, b - a }'

# The same rows as a CSV file with the cache's columns, for sqlite3.
cols="id, centre_id, version, updated_at, updated_by, deleted, insz, family_name, given_name, birth_date, sex, language, nationality, residence, street, postcode, municipality, phone, email, contact_name, contact_phone, contact_relation, notes"
q -c "\\copy (SELECT id, centre_id, version, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), updated_by, deleted::int, data->>'insz', data->>'family_name', data->>'given_name', data->>'birth_date', data->>'sex', data->>'language', data->>'nationality', data->>'residence', data->>'street', data->>'postcode', data->>'municipality', data->>'phone', data->>'email', data->>'contact_name', data->>'contact_phone', data->>'contact_relation', data->>'notes' FROM record WHERE centre_id = '$big' AND entity = 'person') TO '$t/rows.csv' CSV" ||
	die "CSV export"
ddl="CREATE TABLE person ($(echo "$cols" | sed 's/id, /id TEXT PRIMARY KEY NOT NULL, /; s/\(, [a-z_]*\)/\1 TEXT NOT NULL/g'));"

# --- 1. initial sync against sqlite3 .import, alternating ---
echo "== initial sync of $rows rows ($runs runs, medians)"
: >"$t/imp" && : >"$t/syn" && : >"$t/mem"
for r in $(seq "$runs"); do
	rm -f "$t/base.db"
	printf '%s\n' "$ddl" | sqlite3 "$t/base.db" || die "sqlite3 table"
	a=$(now)
	sqlite3 "$t/base.db" ".import --csv $t/rows.csv person" || die "sqlite3 .import"
	b=$(now)
	echo "$a $b" | awk '{ print $2 - $1 }' >>"$t/imp"
	rm -f "$t/big$r.db"*
	conf "big$r" BIG
	"$rss" "$t/rss" "$handesk" --config "$t/big$r.conf" sync >"$t/sync.out" 2>&1 ||
		die "handesk sync: $(cat "$t/sync.out")"
	got=$(sqlite3 "$t/big$r.db" "SELECT count(*) FROM person") || die "count"
	[ "$got" = "$rows" ] || die "the cache has $got persons, not $rows"
	read -r secs kib <"$t/rss"
	echo "$secs" >>"$t/syn"
	echo "$kib" >>"$t/mem"
	printf '  run %d: sqlite3 .import %.2f s, handesk sync %.2f s, %d KiB peak RSS\n' \
		"$r" "$(tail -1 "$t/imp")" "$secs" "$kib"
	[ "$r" -lt "$runs" ] && rm -f "$t/big$r.db"*
done
# For the record, not a bar: the same import into a table with the
# indexes of the cache's person table (the INSZ and birth date ones), as
# the sync writes them besides the search keys.
rm -f "$t/base.db"
printf '%s\n%s\n%s\n' "$ddl" \
	"CREATE UNIQUE INDEX person_insz ON person(insz) WHERE insz <> '' AND deleted = 0;" \
	"CREATE INDEX person_birth ON person(birth_date) WHERE birth_date <> '' AND deleted = 0;" |
	sqlite3 "$t/base.db" || die "sqlite3 table"
a=$(now)
sqlite3 "$t/base.db" ".import --csv $t/rows.csv person" || die "sqlite3 .import"
b=$(now)
echo "$a $b" | awk '{ printf "sqlite3 .import into a table with the person indexes too: %.2f s (for comparison)\n", $2 - $1 }'
imp=$(median <"$t/imp")
syn=$(median <"$t/syn")
mem=$(sort -g "$t/mem" | tail -1)
awk -v i="$imp" -v s="$syn" -v m="$mem" -v n="$rows" 'BEGIN {
	printf "sqlite3 .import baseline: %.2f s (%.0f rows/s)\n", i, n / i
	printf "initial sync: %.2f s, %.0f rows/s, %.2fx the import (bar <= 1.5x) %s\n", s, n / s,
		s / i, s <= 1.5 * i ? "PASS" : "FAIL"
	printf "initial sync client peak RSS: %.1f MiB (bar < 64 MiB) %s\n", m / 1024,
		m < 65536 ? "PASS" : "FAIL"
	exit !(s <= 1.5 * i && m < 65536) }' || status=1
# Search works on the synced cache: the persons are in the index.
hits=$(sqlite3 "$t/big$runs.db" "SELECT count(DISTINCT person_id) FROM person_key") || die "person_key"
[ "$hits" = "$rows" ] || { echo "  search index: $hits persons of $rows: FAIL"; status=1; }
rm -f "$t/big$runs.db"* "$t/base.db" "$t/rows.csv"

# --- 2. 1,000 changes each way (centre SML, two caches) ---
conf push SML
conf pull SML
hs push sync >/dev/null 2>&1 || die "first sync of push"
hs push --login dir staff add --login dir --role director --family Daems --given Dirk >/dev/null 2>&1 ||
	die "staff add"
hs push sync >/dev/null 2>&1 || die "sync of push"
hs pull sync >/dev/null 2>&1 || die "first sync of pull"
# Autovacuum is off (its ANALYZE, a transaction of its own, would hold
# pulls back while it runs): statistics by hand, now that centre SML has
# rows.  Statistics that know of one centre only make PostgreSQL look rows
# of another up through the whole centre's index (the push of 1,000
# changes takes seconds instead of milliseconds).
q -c "ANALYZE record" || die "analyze"
: >"$t/push" && : >"$t/pullt"
echo "== 1,000 changes each way (5 rounds, medians)"
for r in 1 2 3 4 5; do
	# Each person registered is two changes: the person and its audit row.
	i=0
	while [ $i -lt 500 ]; do
		"$cachetool" "$t/push.db" dir add-person "Peeters$r" "Jan$i" >/dev/null || die "add-person"
		i=$((i + 1))
	done
	n=$(sqlite3 "$t/push.db" "SELECT count(*) FROM outbox")
	[ "$n" = 1000 ] || die "$n changes waiting, not 1000"
	"$rss" "$t/rss" "$handesk" --config "$t/push.conf" sync >"$t/sync.out" 2>&1 ||
		die "push: $(cat "$t/sync.out")"
	read -r a _ <"$t/rss"
	[ "$(sqlite3 "$t/push.db" "SELECT count(*) FROM outbox")" = 0 ] || die "outbox not empty"
	"$rss" "$t/rss" "$handesk" --config "$t/pull.conf" sync >"$t/sync.out" 2>&1 ||
		die "pull: $(cat "$t/sync.out")"
	read -r b _ <"$t/rss"
	got=$(sqlite3 "$t/pull.db" "SELECT count(*) FROM person")
	[ "$got" = $((r * 500)) ] || die "the puller has $got persons, not $((r * 500))"
	echo "$a" >>"$t/push"
	echo "$b" >>"$t/pullt"
	printf '  round %d: push %.0f ms, pull %.0f ms\n' "$r" "$(echo "$a" | awk '{ print $1 * 1000 }')" \
		"$(echo "$b" | awk '{ print $1 * 1000 }')"
done
awk -v a="$(median <"$t/push")" -v b="$(median <"$t/pullt")" 'BEGIN {
	printf "1,000 changes pushed (handesk sync, whole process): %.0f ms (bar < 300 ms) %s\n",
		a * 1000, a < 0.3 ? "PASS" : "FAIL"
	printf "1,000 changes pulled (handesk sync, whole process): %.0f ms (bar < 300 ms) %s\n",
		b * 1000, b < 0.3 ? "PASS" : "FAIL"
	exit !(a < 0.3 && b < 0.3) }' || status=1

# --- 3. handeskd under load ---
echo "== bench_load (50 clients)"
# A centre of its own: the clients start from an empty pull, not from the
# rows of the rounds above.
"$handeskd" centre add --code LOD --name Last --language nl >/dev/null || die "centre LOD"
tok=$("$handeskd" token add --centre LOD --name load 2>/dev/null) || die "token load"
"$load" -c 50 -s "${BENCH_LOAD_SECONDS:-10}" "$port" "$tok" || status=1

keys_during_sync
exit $status
