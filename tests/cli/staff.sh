#!/bin/sh
# staff.sh: `handesk staff`: the first director of an empty cache and their
# centre, the director adding the others, who may not, duplicates and bad
# values, the list, deactivation and reactivation, the audit rows.
HANDESK=${HANDESK:-./handesk}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
else
	. "$(dirname "$0")/../lib.sh"
fi
need_handesk
t=$T_TMP
db=$t/cache.db
# English messages, and no configuration or cache of the user running the tests.
export LC_ALL=C.UTF-8 HOME="$t" XDG_CONFIG_HOME="$t/config" XDG_DATA_HOME="$t/data"
unset LANGUAGE
hd() { "$HANDESK" --db "$db" "$@"; }
tab=$(printf '\t')

# --help of the command and of each subcommand.
"$HANDESK" staff --help >"$t/out" 2>&1 || fail "staff --help exit status"
for word in list add deactivate activate --login --role --family --given --discipline \
	--languages --centre --centre-name --centre-language; do
	grep -q -- "$word" "$t/out" || fail "staff --help does not mention $word"
done
for sub in list add deactivate activate; do
	"$HANDESK" staff $sub --help >"$t/out" 2>&1 || fail "staff $sub --help exit status"
	grep -q "^Usage: handesk.* staff $sub" "$t/out" || fail "staff $sub --help: $(cat "$t/out")"
done

# Usage errors exit 2 with a message.
expect -s 2 -e "say list, add" "" -- hd staff
expect -s 2 -e "unknown subcommand 'hire'" "" -- hd staff hire
expect -s 2 -e "before staff" "" -- hd staff --login boss add
expect -s 2 -e "--given" "" -- hd staff add --login a --role director --family F
expect -s 2 "" -- hd staff add --login a --role director --family F --given G --frobnicate
expect -s 2 -e "unexpected argument 'extra'" "" -- hd staff list extra
expect -s 2 -e "--login L" "" -- hd staff deactivate

# No cache yet: nothing to list or deactivate, and no cache is made for it.
expect -s 1 -e "no cache at" "" -- hd staff list
expect -s 1 -e "no cache at" "" -- hd --login boss staff deactivate --login x
[ ! -e "$db" ] || fail "list or deactivate created a cache"

# The first record of an empty cache must be a director...
expect -s 1 -e "must be a centre director" "" -- \
	hd --login boss staff add --login desk --role reception --family Peeters --given Jan \
	--centre BRU --centre-name "Centre de Bruxelles" --centre-language fr
# ...of a centre that must then be created, with all it needs.
expect -s 2 -e "no centre yet" "" -- \
	hd --login boss staff add --login boss --role director --family Dupont --given Anne
expect -s 2 -e "--centre-name NAME --centre-language" "" -- \
	hd --login boss staff add --login boss --role director --family Dupont --given Anne \
	--centre BRU
expect -s 2 -e "--centre-language" "" -- \
	hd --login boss staff add --login boss --role director --family Dupont --given Anne \
	--centre BRU --centre-name "Centre de Bruxelles"
expect -s 2 -e "which is missing" "" -- \
	hd --login boss staff add --login boss --role director --family Dupont --given Anne \
	--centre-name "Centre de Bruxelles" --centre-language fr
expect -s 2 -e "give nl, fr or de" "" -- \
	hd --login boss staff add --login boss --role director --family Dupont --given Anne \
	--centre BRU --centre-name "Centre de Bruxelles" --centre-language en
expect "" -- hd staff list # nothing was written by the refused attempts
expect "Centre BRU (Centre de Bruxelles) created.
Staff record 'boss' (centre director) added to centre BRU." -- \
	hd --login someone staff add --login boss --role director --family Dupont --given Anne \
	--languages fr,NL --centre bru --centre-name "Centre de Bruxelles" --centre-language fr
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "cache mode $mode, not 600"

# The director adds a reception employee, with accents, to their own centre.
expect "Staff record 'desk' (reception) added to centre BRU." -- \
	hd --login boss staff add --login desk --role reception --family "Peeters-Müller" \
	--given "Jan-Éric" --languages nl
# ... through the configuration's login too.
printf 'login = boss\n' >"$t/boss.conf"
expect "Staff record 'dep' (centre director) added to centre BRU." -- \
	hd --config "$t/boss.conf" staff add --login dep --role director --family Lambert \
	--given Marc --discipline "social worker" --centre BRU

# Who may not add: reception, an unknown login, after the bootstrap no new centre.
expect -s 1 -e "only a centre director may" "" -- \
	hd --login desk staff add --login x --role reception --family A --given B
expect -s 1 -e "No staff record for login 'stranger'" "" -- \
	hd --login stranger staff add --login x --role reception --family A --given B
expect -s 2 -e "only with the first staff record" "" -- \
	hd --login boss staff add --login x --role reception --family A --given B \
	--centre LIE --centre-name Liège --centre-language fr
expect -s 1 -e "no centre LIE" "" -- \
	hd --login boss staff add --login x --role reception --family A --given B --centre LIE

# Duplicates and bad values.
expect -s 1 -e "already a staff record with login 'desk'" "" -- \
	hd --login boss staff add --login desk --role doctor --family A --given B
expect -s 2 -e "Unknown role 'janitor'" "" -- \
	hd --login boss staff add --login x --role janitor --family A --given B
expect -s 2 -e "Languages 'nl,en'" "" -- \
	hd --login boss staff add --login x --role reception --family A --given B --languages nl,en
expect -s 2 -e "nl is named twice" "" -- \
	hd --login boss staff add --login x --role reception --family A --given B --languages nl,nl
expect -s 2 -e "Family name (--family): missing" "" -- \
	hd --login boss staff add --login x --role reception --family "  " --given B
expect -s 2 -e "not a login name" "" -- \
	hd --login boss staff add --login "a b" --role reception --family A --given B
expect -s 2 -e "not valid UTF-8" "" -- \
	hd --login boss staff add --login x --role reception --family "$(printf 'A\377')" --given B

# The list: tab-separated, sorted by centre and login, untranslated.
want=$(printf '%s\n' \
	"boss${tab}director${tab}Dupont${tab}Anne${tab}BRU${tab}active${tab}-${tab}fr,nl" \
	"dep${tab}director${tab}Lambert${tab}Marc${tab}BRU${tab}active${tab}social worker${tab}-" \
	"desk${tab}reception${tab}Peeters-Müller${tab}Jan-Éric${tab}BRU${tab}active${tab}-${tab}nl")
expect "$want" -- hd staff list
expect "$want" -- hd --lang nl staff list

# Deactivation: director only, never one's own record; the login may then no
# longer act (here: a deactivated director may no longer add staff).
expect -s 1 -e "only a centre director may" "" -- hd --login desk staff deactivate --login boss
expect -s 1 -e "your own staff record" "" -- hd --login boss staff deactivate --login boss
expect -s 1 -e "no staff record with login 'nobody'" "" -- \
	hd --login boss staff deactivate --login nobody
expect "Staff record 'desk' deactivated: it can no longer start handesk." -- \
	hd --login boss staff deactivate --login desk
expect "Staff record 'desk' is already inactive." -- hd --login boss staff deactivate --login desk
hd staff list | grep -q "^desk${tab}reception${tab}.*${tab}inactive${tab}" ||
	fail "desk not inactive in the list: $(hd staff list)"
expect "Staff record 'dep' deactivated: it can no longer start handesk." -- \
	hd --login boss staff deactivate --login dep
expect -s 1 -e "is inactive" "" -- \
	hd --login dep staff add --login x --role reception --family A --given B
expect -s 1 -e "is inactive" "" -- hd --login dep staff activate --login desk
expect "Staff record 'desk' activated." -- hd --login boss staff activate --login desk
hd staff list | grep -q "^desk${tab}reception${tab}.*${tab}active${tab}" ||
	fail "desk not active again: $(hd staff list)"

# What is in the cache (needs the sqlite3 shell): one audit row per change,
# each with its outbox row; nothing for the refused attempts.
if command -v sqlite3 >/dev/null 2>&1; then
	q() { sqlite3 -batch "$db" "$1"; }
	[ "$(q "SELECT count(*) FROM centre")" = 1 ] || fail "not one centre"
	[ "$(q "SELECT count(*) FROM staff")" = 3 ] || fail "not three staff records"
	[ "$(q "SELECT group_concat(action || ':' || role, ' ') FROM (SELECT action, role
		FROM audit ORDER BY rowid)")" = \
		"staff_add:director staff_add:director staff_add:director staff_disable:director staff_disable:director staff_enable:director" ] ||
		fail "audit rows: $(q 'SELECT action, role, detail FROM audit ORDER BY rowid')"
	q "SELECT detail FROM audit ORDER BY rowid LIMIT 1" |
		grep -q "login boss role director, first staff record, made as login someone, new centre BRU" ||
		fail "bootstrap audit detail: $(q 'SELECT detail FROM audit ORDER BY rowid LIMIT 1')"
	[ "$(q "SELECT count(*) FROM audit WHERE person_id <> ''")" = 0 ] || fail "audit person_id set"
	boss=$(q "SELECT id FROM staff WHERE login = 'boss'")
	[ "$(q "SELECT count(*) FROM audit WHERE staff_id <> '$boss'")" = 0 ] ||
		fail "audit rows not signed by the director"
	[ "$(q "SELECT count(*) FROM staff WHERE updated_by <> '$boss'")" = 0 ] ||
		fail "staff rows not signed by the director"
	[ "$(q "SELECT group_concat(entity || ':' || op, ' ') FROM (SELECT entity, op FROM outbox
		WHERE entity IN ('centre', 'staff') ORDER BY seq)")" = \
		"centre:insert staff:insert staff:insert staff:insert staff:update staff:update staff:update" ] ||
		fail "outbox rows: $(q 'SELECT entity, op FROM outbox ORDER BY seq')"
	[ "$(q "SELECT count(*) FROM outbox WHERE entity = 'audit'")" = 6 ] ||
		fail "audit rows without outbox rows"
else
	echo "staff: no sqlite3 shell: the row-level checks are skipped"
fi

# The configuration's "centre = CODE" stands for --centre on a new cache.
printf 'centre = GNT\n' >"$t/centre.conf"
"$HANDESK" --config "$t/centre.conf" --db "$t/gnt.db" staff add --login gboss --role director \
	--family Boss --given Anne --centre-name "Centre Gent" --centre-language nl >"$t/out" 2>&1 ||
	fail "staff add with centre from the configuration: $(cat "$t/out")"
"$HANDESK" --db "$t/gnt.db" staff list | grep -q "^gboss	director	Boss	Anne	GNT	active" ||
	fail "centre from the configuration not used: $("$HANDESK" --db "$t/gnt.db" staff list)"

echo "staff: all passed"
exit 0
