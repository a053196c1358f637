#!/bin/sh
# workdays.sh: `handesk workdays add` and `between`, holidays, closures, bad input.
. "${top_srcdir:-.}/tests/lib.sh"
need_handesk

# Read no user's configuration: an empty one counts only weekends and the
# ten legal holidays.
XDG_CONFIG_HOME=$T_TMP/config
XDG_DATA_HOME=$T_TMP/data
export XDG_CONFIG_HOME XDG_DATA_HOME

# Year end: 24/12/2025 + 5 crosses Christmas and New Year's Day.
expect "2026-01-02" -- "$HANDESK" workdays add 24/12/2025 5
expect "5" -- "$HANDESK" workdays between 2025-12-24 2026-01-02
expect "2026-12-28" -- "$HANDESK" workdays add 2026-12-24 1
expect "2027-01-04" -- "$HANDESK" workdays add 2026-12-31 1
expect "253" -- "$HANDESK" workdays between 2025-12-31 2026-12-31
expect "-253" -- "$HANDESK" workdays between 2026-12-31 2025-12-31

# Easter 2026 (5 April): Good Friday is a working day, Easter Monday is not.
expect "2026-04-03" -- "$HANDESK" workdays add 2026-04-02 1
expect "2026-04-07" -- "$HANDESK" workdays add 2026-04-02 2
expect "2026-04-07" -- "$HANDESK" workdays add 2026-04-03 1
expect "1" -- "$HANDESK" workdays between 2026-04-03 2026-04-07
expect "0" -- "$HANDESK" workdays between 2026-04-03 2026-04-06
# Ascension (14 May) and Whit Monday (25 May) 2026.
expect "2026-05-18" -- "$HANDESK" workdays add 2026-05-13 2
expect "2026-05-26" -- "$HANDESK" workdays add 2026-05-22 1

# Every accepted date form; 0 gives the date itself, even on a Sunday.
expect "2026-04-07" -- "$HANDESK" workdays add 02.04.2026 2
expect "2026-04-07" -- "$HANDESK" workdays add 02-04-2026 2
expect "2026-04-07" -- "$HANDESK" workdays add 2/4/2026 2
expect "2026-04-05" -- "$HANDESK" workdays add 05/04/2026 0
expect "0" -- "$HANDESK" workdays between 2026-04-05 05/04/2026

# Ascension 2008 fell on 1 May: one day off, not two.
expect "0" -- "$HANDESK" workdays between 2008-04-30 2008-05-01
expect "254" -- "$HANDESK" workdays between 2007-12-31 2008-12-31
expect "2008-05-29" -- "$HANDESK" workdays add 2008-03-21 46

# The inverse: add D1 (between D1 D2) is D2 for a working day D2.
for d2 in 2026-01-02 2026-04-07 2026-05-15 2026-07-22 2027-03-30; do
	n=$("$HANDESK" workdays between 2025-12-15 "$d2") || fail "between $d2"
	expect "$d2" -- "$HANDESK" workdays add 2025-12-15 "$n"
done

# Closure days from the configuration: the bridge day of 15 May 2026.
printf '# bridge days\nclosure = 2026-05-15\n' >"$T_TMP/bridge.conf"
expect "2026-05-19" -- "$HANDESK" --config "$T_TMP/bridge.conf" workdays add 2026-05-13 2
expect "1" -- "$HANDESK" --config "$T_TMP/bridge.conf" workdays between 2026-05-13 2026-05-18
mkdir -p "$XDG_CONFIG_HOME/handesk"
printf 'closure = 02/01/2026\n' >"$XDG_CONFIG_HOME/handesk/handesk.conf"
expect "2026-01-05" -- "$HANDESK" workdays add 2025-12-24 5
rm "$XDG_CONFIG_HOME/handesk/handesk.conf"

# Bad input: a clear message on standard error, exit status 2.
expect -s 2 -e "'2026-02-30' is not a date" "" -- "$HANDESK" workdays add 2026-02-30 1
expect -s 2 -e "'29/02/2025' is not a date" "" -- "$HANDESK" workdays between 2025-01-01 29/02/2025
expect -s 2 -e "'tomorrow' is not a date" "" -- "$HANDESK" workdays add tomorrow 1
expect -s 2 -e "'-1' is not a whole number" "" -- "$HANDESK" workdays add 2026-01-01 -1
expect -s 2 -e "'1.5' is not a whole number" "" -- "$HANDESK" workdays add 2026-01-01 1.5
expect -s 2 -e "after the year 9999" "" -- "$HANDESK" workdays add 2026-01-01 99999999999
expect -s 2 -e "two arguments" "" -- "$HANDESK" workdays add 2026-01-01
expect -s 2 -e "unknown action" "" -- "$HANDESK" workdays sub 2026-01-01 1
expect -s 2 -e "Usage" "" -- "$HANDESK" workdays

# Help.
"$HANDESK" workdays --help >"$T_TMP/help" || fail "workdays --help exit status"
grep -q '^Usage: handesk workdays add' "$T_TMP/help" || fail "workdays --help"
exit 0
