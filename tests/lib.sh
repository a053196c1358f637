# lib.sh: helpers for the shell tests (source it: . "$top_srcdir/tests/lib.sh").
#
#   fail MESSAGE...       report a failure and exit 1
#   skip MESSAGE...       report why the test cannot run and exit 77
#   need_handesk          skip unless $HANDESK is an executable
#   expect [-i INPUT | -f FILE] [-s STATUS] [-e TEXT] WANT -- COMMAND [ARG]...
#                         run COMMAND (standard input the text INPUT or the
#                         file FILE, else empty); its standard output must be WANT
#                         (trailing newlines aside), its exit status STATUS
#                         (default 0), and its standard error must contain
#                         TEXT if given.  Fails the test otherwise.
#
# $T_TMP is a scratch directory removed on exit.

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

skip() {
	printf 'SKIP: %s\n' "$*" >&2
	exit 77
}

need_handesk() {
	[ -n "$HANDESK" ] && [ -x "$HANDESK" ] || skip "no handesk binary at '$HANDESK'"
}

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/handesk-test.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T_TMP"' EXIT
trap 'exit 1' HUP INT TERM

expect() {
	_e_input= _e_has_input=no _e_status=0 _e_err= _e_file=$T_TMP/expect.in
	while :; do
		case $1 in
		-i) _e_input=$2 _e_has_input=yes; shift 2 ;;
		-f) _e_file=$2; shift 2 ;;
		-s) _e_status=$2; shift 2 ;;
		-e) _e_err=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_e_want=$1
	shift
	[ "$1" = "--" ] || fail "expect: '--' before the command missing"
	shift
	if [ "$_e_has_input" = yes ]; then
		printf '%s' "$_e_input" >"$T_TMP/expect.in"
	else
		: >"$T_TMP/expect.in"
	fi
	"$@" <"$_e_file" >"$T_TMP/expect.out" 2>"$T_TMP/expect.err" && _e_rc=0 || _e_rc=$?
	_e_got=$(cat "$T_TMP/expect.out")
	if [ "$_e_got" != "$_e_want" ]; then
		printf '%s\n' "$_e_want" >"$T_TMP/expect.want"
		printf '%s\n' "$_e_got" >"$T_TMP/expect.got"
		{
			echo "command: $*"
			diff -u "$T_TMP/expect.want" "$T_TMP/expect.got"
			echo "stderr:"
			cat "$T_TMP/expect.err"
		} >&2
		fail "unexpected output from: $*"
	fi
	[ "$_e_rc" -eq "$_e_status" ] ||
		fail "exit status $_e_rc, not $_e_status, from: $* ($(cat "$T_TMP/expect.err"))"
	if [ -n "$_e_err" ] && ! grep -qF -- "$_e_err" "$T_TMP/expect.err"; then
		fail "standard error of '$*' lacks '$_e_err': $(cat "$T_TMP/expect.err")"
	fi
	return 0
}
