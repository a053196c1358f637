#!/bin/sh
# central.sh: handeskd against a real PostgreSQL: migrations (once, twice,
# two at once), centres, tokens (the secret shown once and stored only as
# its SHA-256, revocation by name and by id), then the HTTP service on a
# free loopback port: /v1/health, /v1/hello with a valid, revoked or unknown
# token, an unknown route.  The cluster is a throwaway one (see below);
# skipped where PostgreSQL's programs are missing.
HANDESKD=${HANDESKD:-./handeskd}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
	. "$top_srcdir/tests/integration/pg.sh"
else
	. "$(dirname "$0")/../lib.sh"
	. "$(dirname "$0")/pg.sh"
fi
[ -n "$HANDESKD" ] && [ -x "$HANDESKD" ] || skip "no handeskd binary at '$HANDESKD'"
export HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB

pg_cluster "$@"

# --- inside the throwaway cluster (the PG* variables lead to it) ---
t=$T_TMP
hd() { "$HANDESKD" "$@"; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Usage and --help.
"$HANDESKD" --help >"$t/out" || fail "handeskd --help exit status"
for word in migrate centre token serve --db; do
	grep -q -- "$word" "$t/out" || fail "handeskd --help does not mention $word"
done
for cmd in migrate centre token serve; do
	"$HANDESKD" $cmd --help >"$t/out" || fail "handeskd $cmd --help exit status"
	grep -q "^Usage: handeskd.* $cmd" "$t/out" || fail "handeskd $cmd --help: $(cat "$t/out")"
done
expect -s 2 -e "unknown command 'frob'" "" -- hd frob
expect -s 2 -e "--code, --name and --language" "" -- hd centre add --code BRU
expect -s 2 -e "--language wants nl, fr or de" "" -- hd centre add --code BRU --name B --language en
expect -s 2 -e "give one token id or name" "" -- hd token revoke

# A database that does not answer: a clear cause, exit 1.
expect -s 1 -e "no PostgreSQL server answers" "" -- \
	hd --db "postgresql://127.0.0.1:1/none?connect_timeout=2" migrate
# Before migrate: the cause says so.
expect -s 1 -e "handeskd migrate" "" -- hd centre list

# Migrate, then again: nothing more to apply.
# (as many migrations as db/central/ has)
nmig=$(ls "${top_srcdir:-$(dirname "$0")/../..}"/db/central/[0-9]*.sql | wc -l)
expect "Applied $nmig migration(s); the schema is at version $nmig." -- hd migrate
expect "Applied 0 migration(s); the schema is at version $nmig." -- hd migrate
[ "$(q -c 'SELECT count(*) FROM schema_migration')" = "$nmig" ] || fail "schema_migration rows"

# Two handeskd migrating a fresh database at once: both succeed, once applied.
q -c 'CREATE DATABASE race' || fail "create database race"
race="dbname=race"
hd --db "$race" migrate >"$t/m1" 2>&1 &
p1=$!
hd --db "$race" migrate >"$t/m2" 2>&1 &
p2=$!
wait $p1 || fail "first concurrent migrate: $(cat "$t/m1")"
wait $p2 || fail "second concurrent migrate: $(cat "$t/m2")"
applied=$(($(cat "$t/m1" "$t/m2" | sed -n 's/^Applied \([0-9]*\) .*/\1/p' | paste -sd+ -)))
[ "$applied" = "$nmig" ] || fail "concurrent migrations applied '$applied' in all, not $nmig"
[ "$(q -d race -c 'SELECT count(*) FROM schema_migration')" = "$nmig" ] || fail "race: versions"

# A database newer than this handeskd: refused, untouched.
q -d race -c 'INSERT INTO schema_migration (version) VALUES (999)'
expect -s 1 -e "newer than" "" -- hd --db "$race" migrate

# Centres: add (code upper-cased), list, duplicate refused.
hd centre add --code bru --name "Centre de Bruxelles" --language fr >"$t/out" ||
	fail "centre add BRU: $(cat "$t/out")"
hd centre add --code GNT --name "Centrum Gent" --language nl >/dev/null || fail "centre add GNT"
expect -s 1 -e "already exists" "" -- hd centre add --code BRU --name Other --language nl
hd centre list >"$t/centres" || fail "centre list"
[ "$(cut -f1,2,4 "$t/centres")" = "$(printf 'BRU\tfr\tCentre de Bruxelles\nGNT\tnl\tCentrum Gent')" ] ||
	fail "centre list: $(cat "$t/centres")"

# Tokens: the secret once on stdout (64 hex digits), the note on stderr.
hd token add --centre BRU --name ws-1 >"$t/secret" 2>"$t/err" || fail "token add: $(cat "$t/err")"
secret=$(cat "$t/secret")
printf '%s\n' "$secret" | grep -qxE '[0-9a-f]{64}' || fail "token add printed '$secret'"
grep -q "shown only now" "$t/err" || fail "token add: no note: $(cat "$t/err")"
hd token add --centre GNT --name ws-1 >"$t/secret2" 2>/dev/null || fail "token add GNT ws-1"
secret2=$(cat "$t/secret2")
hd token add --centre BRU --name ws-2 >"$t/secret3" 2>/dev/null || fail "token add ws-2"
secret3=$(cat "$t/secret3")
[ "$secret" != "$secret2" ] && [ "$secret" != "$secret3" ] || fail "secrets repeat"
expect -s 1 -e "already has a valid token named ws-1" "" -- hd token add --centre BRU --name ws-1
expect -s 1 -e "no centre with code XXX" "" -- hd token add --centre XXX --name ws-1

# The list never shows a secret; the database holds only its SHA-256.
hd token list >"$t/tokens" || fail "token list"
[ "$(wc -l <"$t/tokens")" -eq 3 ] || fail "token list: $(cat "$t/tokens")"
grep -q "$secret" "$t/tokens" && fail "token list shows the secret"
grep -q "^[0-9a-f-]\{36\}	BRU	ws-1	[0-9T:-]*Z	-	-\$" "$t/tokens" ||
	fail "token list: $(cat "$t/tokens")"
[ "$(q -c "SELECT count(*) FROM token WHERE hash = convert_to('$secret', 'UTF8')")" = 0 ] ||
	fail "the secret is stored as such"
[ "$(q -c "SELECT count(*) FROM token WHERE position(convert_to('$secret', 'UTF8') in hash) > 0")" = 0 ] ||
	fail "the secret is in a hash"
sha=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
[ "$(q -c "SELECT name FROM token WHERE hash = decode('$sha', 'hex')")" = ws-1 ] ||
	fail "the stored hash is not the SHA-256 of the secret"

# Revocation: ws-1 is ambiguous across centres, then by id; ws-2 by name.
expect -s 1 -e "2 valid tokens are named ws-1" "" -- hd token revoke ws-1
id1=$(grep "	BRU	ws-1	" "$t/tokens" | cut -f1)
expect "Token $id1 revoked." -- hd token revoke "$id1"
expect -s 1 -e "no valid token" "" -- hd token revoke "$id1"
expect "Token ws-2 revoked." -- hd token revoke ws-2
expect -s 1 -e "no valid token" "" -- hd token revoke nosuch
expect -s 1 -e "no valid token" "" -- hd token revoke 00000000-0000-0000-0000-000000000000
hd token list >"$t/tokens" || fail "token list after revoke"
[ "$(grep -c '	-	-$' "$t/tokens")" = 1 ] || fail "one valid token left: $(cat "$t/tokens")"
# A revoked name may be used again.
hd token add --centre BRU --name ws-1 >"$t/secret4" 2>/dev/null || fail "token add ws-1 again"
secret4=$(cat "$t/secret4")

# --- the HTTP service ---
command -v curl >/dev/null 2>&1 || { echo "no curl: HTTP part skipped"; exit 0; }
"$HANDESKD" serve --listen 127.0.0.1:0 --threads 2 >"$t/serve.out" 2>"$t/serve.err" &
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
[ -n "$port" ] || fail "handeskd serve did not say where it listens: $(cat "$t/serve.out" "$t/serve.err")"
base=http://127.0.0.1:$port

# get PATH [TOKEN]: the status code in $code, the body in $t/body.
get() {
	if [ -n "${2:-}" ]; then
		code=$(curl -s -o "$t/body" -w '%{http_code}' -H "Authorization: Bearer $2" "$base$1")
	else
		code=$(curl -s -o "$t/body" -w '%{http_code}' "$base$1")
	fi
}
get /v1/health
[ "$code" = 200 ] || fail "/v1/health: $code $(cat "$t/body")"
grep -q '"status": *"ok"' "$t/body" || fail "/v1/health body: $(cat "$t/body")"
get /v1/hello "$secret4"
[ "$code" = 200 ] || fail "/v1/hello: $code $(cat "$t/body")"
grep -q '"centre": *"BRU"' "$t/body" || fail "/v1/hello body: $(cat "$t/body")"
grep -q '"token": *"ws-1"' "$t/body" || fail "/v1/hello body: $(cat "$t/body")"
get /v1/hello "$secret2"
grep -q '"centre": *"GNT"' "$t/body" || fail "/v1/hello GNT: $code $(cat "$t/body")"
for bad in "$secret" "$secret3" "$(printf '%064d' 0)" ""; do
	get /v1/hello "$bad"
	[ "$code" = 401 ] || fail "/v1/hello with token '$bad': $code, not 401"
	grep -q '"error": *"' "$t/body" || fail "401 without a JSON error: $(cat "$t/body")"
done
# Protocol versions: the one this handeskd speaks, a newer client (upgrade
# handeskd), an older one than it serves (upgrade handesk), not a number.
get "/v1/hello?schema=1" "$secret4"
[ "$code" = 200 ] || fail "/v1/hello?schema=1: $code $(cat "$t/body")"
get "/v1/hello?schema=2" "$secret4"
[ "$code" = 409 ] && grep -q '"error": *"schema"' "$t/body" && grep -q 'upgrade handeskd' "$t/body" ||
	fail "/v1/hello?schema=2: $code $(cat "$t/body")"
get "/v1/hello?schema=0" "$secret4"
[ "$code" = 409 ] && grep -q 'upgrade handesk"' "$t/body" ||
	fail "/v1/hello?schema=0: $code $(cat "$t/body")"
get "/v1/hello?schema=x" "$secret4"
[ "$code" = 400 ] || fail "/v1/hello?schema=x: $code $(cat "$t/body")"
get /v1/nosuch "$secret4"
[ "$code" = 404 ] || fail "/v1/nosuch: $code, not 404"
grep -q '"error": *"' "$t/body" || fail "404 without a JSON error: $(cat "$t/body")"
# The valid token was used: last_used_at is set.
hd token list | grep -q "	BRU	ws-1	.*	-	[0-9T:-]*Z\$" || fail "last_used_at not set: $(hd token list)"

kill "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
[ $rc -eq 0 ] || fail "handeskd serve exit status $rc after SIGTERM: $(cat "$t/serve.err")"
exit 0
