#!/bin/sh
# sync.sh: sync inside the curses application (design.md 5, properties 7,
# 9, 11), end to end: the real handesk in tmux against a real handeskd and
# PostgreSQL on loopback.  The status line says online and when it synced;
# an edit reaches the central store with no key pressed; with the service
# gone the status line says offline in words and the search still answers
# at once, also while a transfer hangs on a service that never answers;
# the service back on the same port, the pending change arrives.  A
# same-field conflict made with a second cache shows on the conflicts
# screen with both values, and keeping ours there resolves it on both
# caches.  A change the service rejects shows on the rejected screen with
# its reason.
HANDESKD=${HANDESKD:-./handeskd}
HANDESK=${HANDESK:-./handesk}
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/integration/pg.sh"
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
command -v tmux >/dev/null 2>&1 || skip "tmux not installed"
[ -x "$HANDESKD" ] || skip "no handeskd binary at '$HANDESKD'"
need_handesk
CACHETOOL=${top_builddir:-.}/tests/integration/cachetool
[ -x "$CACHETOOL" ] || skip "no cachetool at $CACHETOOL"
export HANDESK HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB
pg_cluster "$@"

# --- inside the throwaway cluster ---
e2e_init
E2E_TIMEOUT=20
hole_pid=
cleanup() {
	e2e_cleanup
	[ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null
	hd_kill_all
	rm -rf "$T_TMP"
}
trap cleanup EXIT
t=$T_TMP
hd() { "$HANDESKD" "$@"; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
sync_ok() {
	hs "$1" sync >"$t/$1.sync" 2>&1 || e2e_fail "handesk sync ($1): $(cat "$t/$1.sync")"
}
# cache NAME PORT: pg.sh's cache configuration (a token of BRU), syncing
# every 5 seconds in the application.
cache() {
	hk_cache "$1" BRU "$2"
	echo "sync_interval = 5" >>"$t/$1.conf"
}
central() { q -c "SELECT data->>'$2' FROM record WHERE id = '$1'"; }
# wait_central ID FIELD VALUE WHAT: the central store gets there in time.
wait_central() {
	_i=0
	while [ "$(central "$1" "$2")" != "$3" ]; do
		_i=$((_i + 1))
		[ $_i -lt 200 ] || e2e_fail "$4: central $2 is '$(central "$1" "$2")', not '$3'"
		sleep 0.1
	done
}
# edit_person FIELD-TABS VALUE: on the card, F4, Tab to the field, new value, save.
edit_person() {
	e2e_keys F4
	e2e_wait "Edit the person's data" "the edit form"
	_n=$1
	while [ "$_n" -gt 0 ]; do
		e2e_keys Tab
		_n=$((_n - 1))
	done
	e2e_keys C-u
	e2e_type "$2"
	e2e_keys C-s
	e2e_wait "Saved: Peeters" "the edit saved"
}
# wait_re REGEX WHAT: e2e_wait for an extended regular expression.
wait_re() {
	_i=$((E2E_TIMEOUT * 20))
	while ! e2e_screen | grep -qE -- "$1"; do
		_i=$((_i - 1))
		[ $_i -gt 0 ] || e2e_fail "$2: waiting for /$1/"
		sleep 0.05
	done
}
TABS_STREET=8
TABS_PHONE=11

hd migrate >/dev/null || e2e_fail "migrate"
hd centre add --code BRU --name Brussel --language nl >/dev/null || e2e_fail "centre BRU"
hd_serve srv --threads 2
hd_serve srv2 --threads 2 # the same store: the second cache's way in
port=$srv_port
cache a1 "$port"
cache a2 "$srv2_port"
sync_ok a1
hs a1 --login dir staff add --login dir --role director --family Daems --given Dirk \
	>/dev/null 2>&1 || e2e_fail "staff add"
pid=$(ct a1 dir add-person Peeters Jan 85073003328) || e2e_fail "add-person"
ct a1 dir set-person "$pid" street "Stationsstraat 1" || e2e_fail "street"
ct a1 dir set-person "$pid" postcode 1000 || e2e_fail "postcode"
ct a1 dir set-person "$pid" municipality Brussel || e2e_fail "municipality"
sync_ok a1
sync_ok a2
[ "$(central "$pid" family_name)" = Peeters ] || e2e_fail "the person is not central"

# --- online: the status line, an edit reaches the central store by itself ---
e2e_start 120 30 --config "$t/a1.conf" --login dir
e2e_wait "Person search" "the search screen"
e2e_wait "online · synced" "online and the last sync in the status line"
e2e_type "peeters"
e2e_wait "Peeters" "the person found"
e2e_keys Enter
e2e_wait "Person card" "the card"
edit_person $TABS_PHONE "0470 12 34 56"
wait_central "$pid" phone "+32470123456" "the edit made in the UI, with no key pressed"
e2e_wait "0 changes pending" "nothing pending once pushed"
# One sync agent per cache file: the UI holds the lease between cycles.
hs a1 sync >"$t/a1.sync" 2>&1 && e2e_fail "handesk sync ran beside the UI's sync"
grep -q "another sync agent" "$t/a1.sync" || e2e_fail "no word of the lease: $(cat "$t/a1.sync")"

# --- offline: words in the status line, the screen answers at once ---
hd_stop srv
edit_person $TABS_PHONE "0471 12 34 56"
e2e_wait "offline: cannot reach 127.0.0.1 (connection refused)" "offline in words"
e2e_wait "retry in" "when the next try comes"
wait_re "[1-9][0-9]* changes? pending" "the change kept while offline"
e2e_keys Escape
e2e_wait "Person search" "back to the search"
e2e_keys C-u
# Each keystroke answered within a second, while nothing listens ...
E2E_TIMEOUT=1
e2e_type "pee"
e2e_wait "Peeters" "the search answering at once while offline"
e2e_keys C-u
e2e_wait_gone "Peeters" "the search cleared at once"
E2E_TIMEOUT=20
# ... and while a transfer hangs on a service that accepts and never answers.
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$port" &
	hole_pid=$!
	sleep 0.5
	e2e_keys F5 # sync now: the hello hangs (stall timeout 30 s)
	sleep 0.5
	start=$(date +%s%N)
	E2E_TIMEOUT=1
	e2e_type "jan"
	e2e_wait "Peeters" "the search answering at once while a transfer hangs"
	E2E_TIMEOUT=20
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -lt 1500 ] || e2e_fail "the search took $(((end - start) / 1000000)) ms during a hanging transfer"
	kill "$hole_pid"
	wait "$hole_pid" 2>/dev/null
	hole_pid=
	e2e_keys C-u
fi
[ "$(central "$pid" phone)" = "+32470123456" ] || e2e_fail "the offline change arrived while offline?"
hd_serve srv --threads 2 --listen "127.0.0.1:$port"
[ "$srv_port" = "$port" ] || e2e_fail "handeskd came back on $srv_port, not $port"
e2e_wait "online · synced" "back online"
wait_central "$pid" phone "+32471123456" "the change made offline, once back"
e2e_wait "0 changes pending" "nothing pending once back"

# --- a same-field conflict: both values side by side, keep ours ---
hd_stop srv
ct a2 dir set-person "$pid" street "Markt 7" || e2e_fail "a2 street"
sync_ok a2 # through srv2
e2e_type "peeters"
e2e_wait "Peeters" "the person found again"
e2e_keys Enter
e2e_wait "Person card" "the card again"
edit_person $TABS_STREET "Kerkstraat 1"
e2e_wait "offline: cannot reach" "offline before the conflict"
hd_serve srv --threads 2 --listen "127.0.0.1:$port"
e2e_keys F5
e2e_wait "1 conflict: F6" "the conflict in the status line"
e2e_keys F6
e2e_wait "Sync conflicts" "the conflicts screen"
e2e_wait "Peeters" "the person of the conflict in the list"
e2e_keys Enter
e2e_wait "Kerkstraat 1" "ours on the conflict screen"
e2e_wait "Markt 7" "theirs on the conflict screen"
e2e_wait "Address" "the field's name"
sync_ok a2
[ "$(ct a2 sql "SELECT count(*) FROM conflict WHERE deleted = 0")" = 1 ] ||
	e2e_fail "a2 does not list the conflict: $(ct a2 dump conflict)"
e2e_keys Down Left # the street: keep ours
e2e_keys F2
e2e_wait "Resolve this conflict?" "the confirmation"
e2e_keys Enter
e2e_wait "Conflict resolved" "resolved"
e2e_wait "No open conflict" "the list empty"
wait_central "$pid" street "Kerkstraat 1" "ours, chosen on the conflict screen"
_i=0
while [ "$(q -c "SELECT count(*) FROM record WHERE entity = 'conflict' AND NOT deleted")" != 0 ]; do
	_i=$((_i + 1))
	[ $_i -lt 200 ] || e2e_fail "the conflict is still open centrally"
	sleep 0.1
done
sync_ok a2
[ "$(ct a2 sql "SELECT count(*) FROM conflict WHERE deleted = 0")" = 0 ] ||
	e2e_fail "a2 still lists the conflict: $(ct a2 dump conflict)"
[ "$(ct a2 sql "SELECT street FROM person WHERE id = '$pid'")" = "Kerkstraat 1" ] ||
	e2e_fail "a2 did not get the resolution"
[ "$(ct a1 sql "SELECT count(*) FROM conflict WHERE deleted = 0")" = 0 ] ||
	e2e_fail "a1 still lists the conflict"
e2e_keys Escape
e2e_wait_gone "Sync conflicts" "back from the conflicts"

# --- a rejected change: the row is gone centrally, our update is refused ---
q -c "DELETE FROM record WHERE id = '$pid'" || e2e_fail "psql delete"
e2e_keys Escape
e2e_wait "Person search"
e2e_keys C-u
e2e_type "peeters"
e2e_wait "Peeters" "the person found for the rejected change"
e2e_keys Enter
e2e_wait "Person card"
edit_person $TABS_PHONE "0472 12 34 56"
e2e_wait "1 rejected: F7" "the rejected change in the status line"
e2e_keys F7
e2e_wait "Rejected changes" "the rejected screen"
e2e_wait "Peeters" "the person of the rejected change"
e2e_wait "no such row" "the service's reason"
[ "$(ct a1 sql "SELECT phone FROM person WHERE id = '$pid'")" = "+32472123456" ] ||
	e2e_fail "the rejected change was dropped locally"
e2e_keys Delete
e2e_wait "Discard this change for good?" "the discard confirmation"
e2e_keys Escape
e2e_wait "no such row" "kept after saying no"

e2e_keys F10
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"
echo "PASS: sync in the UI: online, offline in words, no freeze, back online, conflict resolved, rejected shown"
exit 0
