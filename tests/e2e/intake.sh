#!/bin/sh
# intake.sh: end to end through the curses UI in tmux: register a person with
# accented names, get a wrong INSZ refused without losing what was typed, fix
# it, save, quit, restart, find the person again typing without accents.
# Then the director edits the phone twice and the card's change history
# shows the old and the new numbers; reception does not see it.
# Also: help, a resize to 80x24 (and below) and back.
. "${top_srcdir:-.}/tests/e2e/tmux.sh"

e2e_init
db="$E2E_TMP/c.db"
conf="$E2E_TMP/handesk.conf"
printf '# handesk e2e test configuration\n' >"$conf"
"$HANDESK" demo --persons 500 --seed 1 --db "$db" >"$E2E_TMP/demo.out" 2>&1 || {
	cat "$E2E_TMP/demo.out"
	e2e_fail "handesk demo failed"
}
args="--db $db --config $conf --login demo-reception"

# --- the home screen, help, resizing ---
# shellcheck disable=SC2086
e2e_start 100 30 $args
e2e_wait "Person search" "the search screen"
e2e_wait "cache: 500 persons" "the cache state in the status line"
e2e_keys F1
e2e_wait "Keys of the screen" "help after F1"
e2e_wait "new intake" "the intake key in the search screen's help"
e2e_keys Escape
e2e_wait_gone "Keys of the screen" "help closed by Esc"
e2e_keys '?'
e2e_wait "Keys of the screen" "help after ?"
e2e_keys Escape
e2e_wait_gone "Keys of the screen"

e2e_resize 80 24
e2e_wait "Person search" "the search screen at 80x24"
[ "$(e2e_screen | wc -l)" -le 24 ] || e2e_fail "more than 24 lines at 80x24"
e2e_expect_line 22 "persons" "the status line on line 23 at 80x24"
e2e_resize 70 20
e2e_wait "Terminal too small (need 80x24" "the too-small notice"
e2e_resize 100 30
e2e_wait "Person search" "the search screen after growing back"
e2e_wait_gone "Terminal too small"
e2e_expect_line 28 "persons" "the status line on line 29 at 100x30"

# --- intake: names first, then a wrong INSZ ---
e2e_keys F3
e2e_wait "New person (page 1 of 2)" "the intake form"
e2e_keys Tab
e2e_type "Duprée-Müller"
e2e_keys Tab
e2e_type "Zoë"
e2e_keys BTab BTab
e2e_type "85073003329" # check digits wrong: 28 is right
e2e_keys Tab
e2e_wait "Error: INSZ" "the INSZ error in the status line"
e2e_screen | grep -q "Error: INSZ.*check" || e2e_fail "the INSZ error names the check digits"
e2e_wait "Duprée-Müller" "the family name kept after the error"
e2e_wait "Zoë" "the given name kept after the error"
e2e_wait "85073003329" "the wrong INSZ kept for correction"

# Fix it: Backspace the last digit and type the right one.
e2e_keys End BSpace
e2e_type "8"
e2e_keys Tab
e2e_wait_gone "Error: INSZ" "the error to clear once the INSZ is right"
e2e_wait "85.07.30-033.28" "the INSZ shown formatted"
e2e_wait "30/07/1985" "the birth date taken from the INSZ"
# family, given, birth, sex, language, nationality, residence
e2e_keys Tab Tab Tab Tab Tab Tab
e2e_keys Right
e2e_wait "population register" "the residence choice"
# A postcode of five digits is kept and refused, not cut to four.
e2e_keys Tab Tab # street, postcode
e2e_type "12345"
e2e_keys Tab
e2e_wait "Error: Postcode: four digits" "the postcode error in the status line"
e2e_wait "12345" "all five digits kept for correction"
e2e_keys C-u
e2e_type "1000"
e2e_keys Tab
e2e_wait_gone "Error: Postcode" "the error to clear once the postcode is right"
e2e_wait "Bruxelles" "the municipality filled from the postcode"

# --- the application page ---
e2e_keys NPage
e2e_wait "New application (page 2 of 2)" "the application page"
e2e_keys Right
e2e_wait "Documents expected for" "the documents checklist of the chosen kind"
e2e_keys Tab Tab Tab # procedure, received, problem
e2e_keys Right
e2e_keys C-s
e2e_wait "Person card" "the card after saving"
e2e_wait "Duprée-Müller, Zoë" "the name on the card"
e2e_wait "85.07.30-033.28" "the INSZ on the card"
e2e_wait "30/07/1985" "the birth date on the card"
# The primary problem (psychological, chosen above) is health data: the
# reception card says it is withheld and never shows it.
e2e_wait "primary problem: (medical" "the primary problem withheld from reception"
if e2e_screen | grep -qi "psycholog"; then
	e2e_fail "the reception card shows the primary problem"
fi
e2e_keys F10
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"

# --- restart, find the person without typing the accents ---
# shellcheck disable=SC2086
e2e_start 100 30 $args
e2e_wait "Person search" "the search screen after the restart"
e2e_type "dupree mul"
e2e_wait "Duprée-Müller" "the person found by 'dupree mul'"
e2e_keys Enter
e2e_wait "Person card" "the card from the search"
e2e_wait "Zoë" "the given name on the card"
e2e_wait "missing" "the documents missing on the card"
e2e_keys C-q
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"

# --- a doctor sees the primary problem ---
e2e_start 100 30 --db "$db" --config "$conf" --login demo-doctor
e2e_wait "Person search" "the search screen as a doctor"
e2e_type "dupree mul"
e2e_wait "Duprée-Müller" "the person found as a doctor"
e2e_keys Enter
e2e_wait "primary problem: psychological" "the primary problem on the doctor's card"
e2e_keys C-q
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"
# --- the director edits the phone twice; the card keeps the change history ---
e2e_start 100 30 --db "$db" --config "$conf" --login demo-director
e2e_wait "Person search" "the search screen as the director"
e2e_type "dupree mul"
e2e_wait "Duprée-Müller" "the person found as the director"
e2e_keys Enter
e2e_wait "Person card" "the card as the director"
for phone in "0470 12 34 56" "0471 12 34 56"; do
	e2e_keys F4
	e2e_wait "Edit the person's data" "the edit form"
	# INSZ, then family, given, birth, sex, language, nationality,
	# residence, street, postcode, municipality: the phone
	e2e_keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
	e2e_keys C-u
	e2e_type "$phone"
	e2e_keys C-s
	e2e_wait "Saved: Duprée-Müller" "the edit saved"
	e2e_wait "Person card" "back on the card after the edit"
done
e2e_keys End
e2e_wait "Change history" "the change history on the director's card"
e2e_wait "phone: +32470123456 -> +32471123456" "the old and the new phone in the history"
e2e_wait "phone: (empty) -> +32470123456" "the first edit in the history"
e2e_keys C-q
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"

# --- reception does not see the history ---
# shellcheck disable=SC2086
e2e_start 100 30 $args
e2e_wait "Person search" "the search screen as reception again"
e2e_type "dupree mul"
e2e_wait "Duprée-Müller" "the person found as reception"
e2e_keys Enter
e2e_wait "Person card" "the card as reception"
e2e_keys End
e2e_wait "missing" "the end of the reception card"
if e2e_screen | grep -q "Change history\|+32470123456 ->"; then
	e2e_fail "the reception card shows the change history"
fi
e2e_keys C-q
e2e_wait_exit
[ "$(e2e_exit_status)" = 0 ] || e2e_fail "handesk exited with status $(e2e_exit_status)"
echo "PASS: intake, error, fix, save, restart, search, card, medical content by role, change history"
exit 0
