#!/bin/sh
# demo.sh: `handesk demo`: creates a cache, same seed same data, never
# overwrites without --force, usage errors exit 2, the data is valid.
HANDESK=${HANDESK:-./handesk}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
else
	fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
	skip() { printf 'SKIP: %s\n' "$*" >&2; exit 77; }
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/handesk-test.XXXXXX") || exit 1
	trap 'rm -rf "$T_TMP"' EXIT
fi
[ -x "$HANDESK" ] || skip "no handesk binary at '$HANDESK'"
t=$T_TMP
day=2025-06-30 # a fixed reference date: the data does not depend on today

fingerprint() { sed -n 's/.*fingerprint \([0-9a-f]*\).*/\1/p' "$1"; }

# --help
"$HANDESK" demo --help >"$t/out" 2>&1 || fail "demo --help exit status"
for word in --persons --seed --db --force; do
	grep -q -- "$word" "$t/out" || fail "demo --help does not mention $word"
done

# Usage errors: exit 2 with a message, no file created.
for args in "--persons abc" "--persons -5" "--persons 12x" "--persons 99999999999" \
	"--persons" "" "--persons 10 --seed x" "--persons 10 --frobnicate" "--persons 10 extra" \
	"--persons 10 --today tomorrow" "--persons 10 --today 2026-02-30"; do
	# shellcheck disable=SC2086 # the words are separate arguments
	"$HANDESK" demo $args --db "$t/bad.db" >"$t/out" 2>"$t/err"
	rc=$?
	[ $rc -eq 2 ] || fail "demo $args: exit status $rc, not 2"
	[ -s "$t/err" ] || fail "demo $args: no message"
	[ ! -e "$t/bad.db" ] || fail "demo $args: created a cache"
done
"$HANDESK" demo --persons abc --db "$t/bad.db" 2>&1 | grep -q -- "--persons" ||
	fail "bad --persons message does not name the option"

# A cache of 300 persons.
"$HANDESK" demo --persons 300 --seed 7 --today $day --db "$t/a.db" >"$t/a.out" 2>"$t/a.err" ||
	fail "demo --persons 300: $(cat "$t/a.err")"
[ -s "$t/a.db" ] || fail "no cache file"
grep -q '300 persons' "$t/a.out" || fail "summary lacks the persons: $(cat "$t/a.out")"
grep -q 'applications' "$t/a.out" || fail "summary lacks the applications"
grep -q "handesk --db $t/a.db" "$t/a.out" || fail "summary does not say how to start"
[ -z "$(cat "$t/a.err")" ] || fail "output on stderr without a terminal: $(cat "$t/a.err")"
mode=$(stat -c %a "$t/a.db")
[ "$mode" = 600 ] || fail "cache mode $mode, not 600"
fa=$(fingerprint "$t/a.out")
[ -n "$fa" ] || fail "summary lacks the fingerprint"

# Same seed, same data; another seed, other data.
"$HANDESK" demo --persons 300 --seed 7 --today $day --db "$t/b.db" >"$t/b.out" 2>&1 ||
	fail "second demo: $(cat "$t/b.out")"
[ "$(fingerprint "$t/b.out")" = "$fa" ] || fail "same seed, other fingerprint"
"$HANDESK" demo --persons 300 --seed 8 --today $day --db "$t/c.db" >"$t/c.out" 2>&1 ||
	fail "third demo: $(cat "$t/c.out")"
[ "$(fingerprint "$t/c.out")" != "$fa" ] || fail "other seed, same fingerprint"

# Never overwrite without --force; with it, replace.
cksum "$t/a.db" >"$t/sum1"
"$HANDESK" demo --persons 5 --db "$t/a.db" >"$t/out" 2>"$t/err"
[ $? -eq 1 ] || fail "overwrite without --force: exit status not 1"
grep -q -- '--force' "$t/err" || fail "overwrite refusal does not mention --force"
cksum "$t/a.db" | cmp -s - "$t/sum1" || fail "the refused run changed the cache"
"$HANDESK" demo --persons 5 --seed 7 --today $day --db "$t/a.db" --force >"$t/out" 2>&1 ||
	fail "--force: $(cat "$t/out")"
grep -q ' 5 persons' "$t/out" || fail "--force did not replace the cache"
# A wrong --today is a usage error, found before --force removes anything.
cksum "$t/a.db" >"$t/sum2"
"$HANDESK" demo --persons 5 --db "$t/a.db" --force --today 2026-13-01 >"$t/out" 2>"$t/err"
[ $? -eq 2 ] || fail "--force with a wrong --today: exit status not 2"
grep -q -- '--today' "$t/err" || fail "wrong --today message does not name the option"
cksum "$t/a.db" | cmp -s - "$t/sum2" || fail "a wrong --today removed the cache"
[ ! -e "$t/a.db-wal" ] || [ ! -s "$t/a.db-wal" ] || fail "WAL left behind"

# A load that fails half-way leaves no cache behind, neither a half-made one
# nor its journal.  A file size limit stands for a full disk (SIGXFSZ
# ignored, so that writes fail with EFBIG instead of killing handesk).
if (ulimit -f 2048) 2>/dev/null; then
	(
		trap '' XFSZ
		ulimit -f 2048
		exec "$HANDESK" demo --persons 20000 --seed 7 --today $day --db "$t/full.db"
	) >"$t/out" 2>"$t/err"
	rc=$?
	[ $rc -eq 1 ] || fail "demo on a full disk: exit status $rc, not 1"
	grep -q 'handesk demo: ' "$t/err" || fail "demo on a full disk: no message"
	for f in "$t/full.db" "$t/full.db-journal" "$t/full.db-wal" "$t/full.db-shm"; do
		[ ! -e "$f" ] || fail "demo on a full disk left $f behind"
	done
else
	echo "demo: no file size limit here: the full-disk case is skipped"
fi

# The global --db option names the cache too.
"$HANDESK" --db "$t/g.db" demo --persons 3 >"$t/out" 2>&1 || fail "global --db: $(cat "$t/out")"
[ -s "$t/g.db" ] || fail "global --db ignored"

# What is in the cache (needs the sqlite3 shell).
if command -v sqlite3 >/dev/null 2>&1; then
	q() { sqlite3 -batch "$1" "$2"; }
	dump() {
		q "$1" "SELECT * FROM centre ORDER BY id; SELECT * FROM staff ORDER BY id;
			SELECT * FROM person ORDER BY id; SELECT * FROM application ORDER BY id;
			SELECT * FROM application_document ORDER BY id;"
	}
	dump "$t/b.db" >"$t/b.dump"
	"$HANDESK" demo --persons 300 --seed 7 --today $day --db "$t/d.db" >/dev/null 2>&1 ||
		fail "fourth demo"
	dump "$t/d.db" >"$t/d.dump"
	cmp -s "$t/b.dump" "$t/d.dump" || fail "same seed, different rows"

	[ "$(q "$t/b.db" 'SELECT count(*) FROM person')" = 300 ] || fail "not 300 persons"
	[ "$(q "$t/b.db" 'SELECT count(*) FROM centre')" = 10 ] || fail "not 10 centres"
	n=$(q "$t/b.db" 'SELECT count(*) FROM application')
	[ "$n" -ge 400 ] && [ "$n" -le 640 ] || fail "$n applications for 300 persons"
	[ "$(q "$t/b.db" 'SELECT count(*) FROM outbox')" = 0 ] || fail "outbox rows for demo data"
	[ "$(q "$t/b.db" "SELECT count(*) FROM person WHERE version <> 1")" = 0 ] ||
		fail "demo rows not marked synced"
	[ "$(q "$t/b.db" "SELECT count(*) FROM person WHERE email <> '' AND email NOT LIKE '%@demo.invalid'")" = 0 ] ||
		fail "e-mail outside demo.invalid"
	for login in demo-reception demo-client demo-dossier demo-social demo-evaluator \
		demo-doctor demo-director demo-quality; do
		[ "$(q "$t/b.db" "SELECT count(*) FROM staff s JOIN centre c ON c.id = s.centre_id
			WHERE s.login = '$login' AND c.code = 'BRU'")" = 1 ] || fail "no $login"
	done
	me=$(id -un)
	case $me in
	demo-*) ;;
	*) [ "$(q "$t/b.db" "SELECT role FROM staff WHERE login = '$me'")" = reception ] ||
		fail "the OS login $me is not a reception staff record" ;;
	esac
	s=$(q "$t/b.db" 'SELECT count(*) FROM staff')
	[ "$s" -ge 356 ] || fail "only $s staff"

	# Every INSZ is valid and agrees with the birth date and sex.
	q "$t/b.db" "SELECT insz FROM person WHERE insz <> '' ORDER BY id" >"$t/insz"
	"$HANDESK" check insz - <"$t/insz" >"$t/check" || fail "invalid INSZ: $(grep -v ^valid "$t/check" | head -3)"
	q "$t/b.db" "SELECT CASE birth_date WHEN '' THEN 'unknown' ELSE birth_date END || ' ' ||
		sex FROM person WHERE insz <> '' ORDER BY id" >"$t/want"
	# bis numbers with month + 20 carry no sex: compare the date only there
	awk 'NR == FNR { want[FNR] = $0; next }
		{ split(want[FNR], w, " ")
		  if ($3 != w[1] || ($4 != "unknown" && $4 != w[2])) { print FNR ": " $0 " vs " want[FNR]; bad = 1 } }
		END { exit bad }' "$t/want" "$t/check" >"$t/mismatch" ||
		fail "INSZ and birth date or sex disagree: $(head -3 "$t/mismatch")"
else
	echo "demo: no sqlite3 shell: the row-level checks are skipped"
fi

echo "demo: all passed"
exit 0
