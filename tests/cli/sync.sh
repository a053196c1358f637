#!/bin/sh
# sync.sh: `handesk sync` without a central service: its help, a
# configuration without server or token, a token in a file others may
# read, an unreachable service (transient: exit 75, the error kept for
# --status), and --status of a fresh cache.  The protocol itself is tested
# against canned replies in tests/unit/test_sync.c and against a real
# handeskd in tests/integration/.
HANDESK=${HANDESK:-./handesk}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
else
	. "$(dirname "$0")/../lib.sh"
fi
need_handesk
t=$T_TMP
# English messages, and no configuration or cache of the user running the tests.
export LC_ALL=C.UTF-8 HOME="$t" XDG_CONFIG_HOME="$t/config" XDG_DATA_HOME="$t/data"
unset LANGUAGE
hs() { "$HANDESK" --config "$t/handesk.conf" "$@"; }

"$HANDESK" sync --help >"$t/out" 2>&1 || fail "sync --help exit status"
for word in --watch --status sync_interval; do
	grep -q -- "$word" "$t/out" || fail "sync --help does not mention $word"
done
expect -s 2 "" -- "$HANDESK" sync --frobnicate
expect -s 2 "" -- "$HANDESK" sync extra

# No server or token configured.
umask 077
printf 'cache = %s/cache.db\n' "$t" >"$t/handesk.conf"
expect -s 2 -e "needs server = URL and token = SECRET" "" -- hs sync

# A token others may read is refused.
printf 'cache = %s/cache.db\nserver = http://127.0.0.1:9\ntoken = s3cret\n' "$t" >"$t/handesk.conf"
chmod 644 "$t/handesk.conf"
expect -s 1 -e "chmod 600" "" -- hs sync
chmod 600 "$t/handesk.conf"

# Not an http(s) URL.
printf 'server = ftp://example.invalid\n' >"$t/bad.conf"
expect -s 1 -e "server must be an https://" "" -- "$HANDESK" --config "$t/bad.conf" sync

# Nobody listens on the discard port: transient, exit 75, the error kept.
expect -s 75 -e "cannot reach the central service" "" -- hs sync
hs sync --status >"$t/status" 2>&1 || fail "sync --status: $(cat "$t/status")"
grep -q "^pending changes: 0$" "$t/status" || fail "status: $(cat "$t/status")"
grep -q "^last sync: never$" "$t/status" || fail "status: $(cat "$t/status")"
grep -q "^last error: cannot reach the central service" "$t/status" ||
	fail "status: $(cat "$t/status")"
grep -q "^sync agent: none$" "$t/status" || fail "the lease is released: $(cat "$t/status")"
exit 0
