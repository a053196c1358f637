#!/bin/sh
# language.sh: the screens in Dutch, French and German: chosen with --lang,
# from the locale's LANGUAGE, from the configuration, and switched in the
# settings screen (stored per user, kept after a restart).
. "${top_srcdir:-.}/tests/e2e/tmux.sh"

e2e_init

# The catalogues as built (po/*.gmo), laid out as an installed locale tree.
locale="$E2E_TMP/locale"
for l in nl fr de; do
	gmo=
	for d in "$top_builddir/po" "$top_srcdir/po"; do
		[ -f "$d/$l.gmo" ] && { gmo="$d/$l.gmo"; break; }
	done
	[ -n "$gmo" ] || { echo "SKIP: no $l.gmo built"; exit 77; }
	mkdir -p "$locale/$l/LC_MESSAGES"
	cp "$gmo" "$locale/$l/LC_MESSAGES/handesk.mo"
done
HANDESK_LOCALEDIR=$locale
export HANDESK_LOCALEDIR

db="$E2E_TMP/c.db"
conf="$E2E_TMP/handesk.conf"
printf '# handesk e2e test configuration\n' >"$conf"
"$HANDESK" demo --persons 200 --seed 3 --db "$db" >/dev/null 2>&1 || e2e_fail "handesk demo failed"

# --lang picks the language for this run only.
e2e_start 100 30 --db "$db" --config "$conf" --login demo-reception --lang nl
e2e_wait "Personen zoeken" "the search screen in Dutch with --lang nl"
e2e_keys F3
e2e_wait "Familienaam" "the intake form in Dutch"
e2e_keys Escape
e2e_keys F10
e2e_wait_exit

# The locale's LANGUAGE (with a UTF-8 locale) picks German.  Each
# e2e_start begins a new tmux server, which inherits this environment.
LANGUAGE=de
export LANGUAGE
e2e_start 100 30 --db "$db" --config "$conf" --login demo-reception
e2e_wait "Personensuche" "the search screen in German from LANGUAGE=de"
e2e_keys F10
e2e_wait_exit
unset LANGUAGE

# Settings: Nederlands -> Français with Right; stored in the configuration.
e2e_start 100 30 --db "$db" --config "$conf" --login demo-reception --lang nl
e2e_wait "Personen zoeken"
e2e_keys F9
e2e_wait "Nederlands" "the settings screen showing the language"
e2e_keys Right
e2e_wait "Français" "French chosen in the settings"
e2e_wait "Paramètres" "the settings screen redrawn in French at once"
grep -q '^language *= *fr' "$conf" || e2e_fail "language not stored in $conf: $(cat "$conf")"
e2e_keys Escape
e2e_wait "Recherche de personnes" "the search screen in French"
e2e_keys F10
e2e_wait_exit

# A restart without --lang keeps the stored choice.
e2e_start 100 30 --db "$db" --config "$conf" --login demo-reception
e2e_wait "Recherche de personnes" "French kept after a restart"
e2e_keys F10
e2e_wait_exit
echo "language: all passed"
exit 0
