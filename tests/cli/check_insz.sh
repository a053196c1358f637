#!/bin/sh
# check_insz.sh: `handesk check insz`: arguments, standard input, exit statuses.
. "${top_srcdir:-.}/tests/lib.sh"
need_handesk

# Read no user's configuration.
XDG_CONFIG_HOME=$T_TMP/config
XDG_DATA_HOME=$T_TMP/data
export XDG_CONFIG_HOME XDG_DATA_HOME

# The examples of domain.md and handesk(1).
expect -s 1 "valid 85.07.30-033.28 1985-07-30 m nn
valid 17.07.30-033.84 2017-07-30 m nn
valid 00.00.01-001.66 unknown m nn
valid 98.47.28-997.65 1998-07-28 m bis
invalid month
invalid checksum" -- "$HANDESK" check insz 85.07.30-033.28 17073003384 00000100166 \
	98472899765 85133000105 85073003329

expect "valid 00.00.01-001.95 unknown m nn" -- "$HANDESK" check insz 00000100195

# Separators of every kind; all valid: exit 0.
expect "valid 85.07.30-033.28 1985-07-30 m nn
valid 85.07.30-033.28 1985-07-30 m nn
valid 85.07.30-033.28 1985-07-30 m nn
valid 85.07.30-033.28 1985-07-30 m nn" -- "$HANDESK" check insz "85 07 30 033 28" \
	85/07/30/033/28 850730-033-28 " 85.07.30 - 033.28 "

# Women, bis numbers with sex unknown (+20), unknown month and day.
# 85.07.30-034: even serial; 98.27.28: bis +20; 62.05.00: day unknown;
# 62.00.00: month unknown.
f=$(awk 'BEGIN { n = 850730034; printf "%09d%02d", n, 97 - n % 97 }')
b=$(awk 'BEGIN { n = 982728997; printf "%09d%02d", n, 97 - n % 97 }')
d=$(awk 'BEGIN { n = 620500041; printf "%09d%02d", n, 97 - n % 97 }')
m=$(awk 'BEGIN { n = 620000041; printf "%09d%02d", n, 97 - n % 97 }')
# born in 2004: check digits on 2 followed by the nine digits
y=$(awk 'BEGIN { n = 40229123; printf "%09d%02d", n, 97 - (2000000000 + n) % 97 }')
expect "valid 85.07.30-034.$(echo "$f" | cut -c10-11) 1985-07-30 f nn
valid 98.27.28-997.$(echo "$b" | cut -c10-11) 1998-07-28 unknown bis
valid 62.05.00-041.$(echo "$d" | cut -c10-11) unknown m nn
valid 62.00.00-041.$(echo "$m" | cut -c10-11) unknown m nn
valid 04.02.29-123.$(echo "$y" | cut -c10-11) 2004-02-29 m nn" -- \
	"$HANDESK" check insz "$f" "$b" "$d" "$m" "$y"

# Every reason.
expect -s 1 "invalid empty
invalid characters
invalid length
invalid length
invalid month
invalid day
invalid serial
invalid checksum" -- "$HANDESK" check insz "" "85O73003328" 8507300332 850730033288 \
	85133000105 85073200000 85073000000 85073003329

# Standard input: one per line, CRLF, an empty line, no final newline; the
# output keeps one line per input line, in order.
cr=$(printf '\r')
expect -s 1 -i "85073003328
85.07.30-033.28$cr

17073003384
85073003329
00000100166" "valid 85.07.30-033.28 1985-07-30 m nn
valid 85.07.30-033.28 1985-07-30 m nn
invalid empty
valid 17.07.30-033.84 2017-07-30 m nn
invalid checksum
valid 00.00.01-001.66 unknown m nn" -- "$HANDESK" check insz -

expect -i "85073003328
" "valid 85.07.30-033.28 1985-07-30 m nn" -- "$HANDESK" check insz -
expect -i "" "" -- "$HANDESK" check insz -

# '-' among numbers: standard input read at that place.
expect -i "17073003384
" "valid 85.07.30-033.28 1985-07-30 m nn
valid 17.07.30-033.84 2017-07-30 m nn
valid 00.00.01-001.66 unknown m nn" -- "$HANDESK" check insz 85073003328 - 00000100166

# '--' ends the options; a dash is a separator, even in front.
expect -s 1 "invalid characters
valid 85.07.30-033.28 1985-07-30 m nn" -- "$HANDESK" check insz -- --help -85073003328

# Many numbers at once: every line answered.
awk 'BEGIN { for (i = 1; i <= 200000; i++) { n = 850730000 + i % 998 + 1;
	printf "%09d%02d\n", n, 97 - n % 97 } }' >"$T_TMP/many"
"$HANDESK" check insz - <"$T_TMP/many" >"$T_TMP/many.out" || fail "200000 valid numbers"
[ "$(wc -l <"$T_TMP/many.out")" -eq 200000 ] || fail "lines missing from 200000"
[ "$(grep -c '^valid ' "$T_TMP/many.out")" -eq 200000 ] || fail "not all valid"

# A line longer than any buffer is still one line.
awk 'BEGIN { for (i = 0; i < 1100000; i++) printf " "; print "85073003328";
	for (i = 0; i < 1100000; i++) printf "8"; print ""; print "17073003384" }' >"$T_TMP/long"
expect -s 1 -f "$T_TMP/long" "valid 85.07.30-033.28 1985-07-30 m nn
invalid length
valid 17.07.30-033.84 2017-07-30 m nn" -- "$HANDESK" check insz -

# A NUL byte is a character, not the end of the line; so is a carriage
# return that is not the last of its line, even at the end of a full buffer.
printf '85073003328\000x\n\000\n8507\0003003328\n' >"$T_TMP/nul"
expect -s 1 -f "$T_TMP/nul" "invalid characters
invalid characters
invalid characters" -- "$HANDESK" check insz -
awk 'BEGIN { for (i = 0; i < 1048575; i++) printf " "; printf "\r"; print "85073003328" }' \
	>"$T_TMP/cr"
expect -s 1 -f "$T_TMP/cr" "invalid characters" -- "$HANDESK" check insz -
awk 'BEGIN { for (i = 0; i < 1048564; i++) printf " "; printf "85073003328\r\n" }' >"$T_TMP/cr"
expect -f "$T_TMP/cr" "valid 85.07.30-033.28 1985-07-30 m nn" -- "$HANDESK" check insz -

# Usage errors: exit 2, a message on standard error.
expect -s 2 -e "no number" "" -- "$HANDESK" check insz
expect -s 2 -e "unknown option" "" -- "$HANDESK" check insz --frobnicate 85073003328
expect -s 2 -e "unknown check" "" -- "$HANDESK" check iban BE68539007547034
expect -s 2 -e "Usage" "" -- "$HANDESK" check

# Help.
"$HANDESK" check --help >"$T_TMP/help" || fail "check --help exit status"
grep -q '^Usage: handesk check insz' "$T_TMP/help" || fail "check --help"
"$HANDESK" check insz --help >"$T_TMP/help" || fail "check insz --help exit status"
for word in valid invalid unknown bis checksum serial; do
	grep -q "$word" "$T_TMP/help" || fail "check insz --help lacks $word"
done
exit 0
