#!/bin/sh
# layering.sh: curses only in ui/, sqlite3 and libpq only in db/, curl only in
# src/, libmicrohttpd only in src/central/ (handeskd's HTTP layer).
cd "${top_srcdir:-.}" || exit 1
status=0
check() {
	what=$1 pattern=$2; shift 2
	hits=$(grep -rlE "#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layering: $what included outside its layer:" $hits
		status=1
	fi
}
check "curses/form/menu/panel" 'n?curses(w)?\.h|ncursesw/[a-z]+\.h|form\.h|menu\.h|panel\.h' src db bench tests/unit
check "sqlite3/libpq" 'sqlite3\.h|libpq-fe\.h' src ui bench
check "libcurl" 'curl/' ui db bench
# libmicrohttpd: handeskd's HTTP layer only.
mhd_hits=$(grep -rlE '#[[:space:]]*include[[:space:]]*[<"]microhttpd\.h' src ui db bench tests/unit 2>/dev/null |
	grep -v '^src/central/')
if [ -n "$mhd_hits" ]; then
	echo "layering: microhttpd.h included outside src/central/:" $mhd_hits
	status=1
fi
exit $status
