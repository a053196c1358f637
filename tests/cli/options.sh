#!/bin/sh
# options.sh: global options, --help/--version, unknown commands, no terminal.
HANDESK=${HANDESK:-./handesk}
[ -x "$HANDESK" ] || { echo "no handesk binary"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$HANDESK" --help) || fail "--help exit status"
for word in --db --config --login --lang --help --version check workdays demo; do
	printf '%s\n' "$out" | grep -q -- "$word" || fail "--help does not mention $word"
done
"$HANDESK" -h | grep -q '^Usage: handesk' || fail "-h"

v=$("$HANDESK" --version) || fail "--version exit status"
printf '%s\n' "$v" | grep -Eq '^handesk [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version prints '$v'"

"$HANDESK" frobnicate >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown command exit status"
grep -q "unknown command 'frobnicate'" "$tmp/err" || fail "unknown command message"

"$HANDESK" --lang xx check insz 85073003328 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--lang xx exit status"
grep -q "lang wants nl, fr, de or en" "$tmp/err" || fail "--lang xx message"

"$HANDESK" --no-such-option >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option exit status"

# The interactive application refuses to start without a terminal, clearly.
"$HANDESK" --db "$tmp/c.db" </dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "no-terminal exit status"
grep -q 'needs a terminal' "$tmp/err" || fail "no-terminal message"

# A bad configuration file is reported with its name and line.
printf 'language = nl\nfrobnicate = 1\n' >"$tmp/bad.conf"
"$HANDESK" --config "$tmp/bad.conf" check insz 85073003328 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad config exit status"
grep -q 'bad.conf:2' "$tmp/err" || fail "bad config message: $(cat "$tmp/err")"

# A missing explicit configuration file is an error; the default one is not.
"$HANDESK" --config "$tmp/none.conf" check insz 85073003328 >/dev/null 2>&1 && fail "missing --config accepted"
XDG_CONFIG_HOME="$tmp/xdg" "$HANDESK" check insz 85073003328 >/dev/null || fail "missing default config refused"

# Every command's --help works and exits 0.
for c in check workdays demo; do
	"$HANDESK" $c --help >"$tmp/out" 2>&1 || fail "$c --help exit status"
	grep -qi usage "$tmp/out" || fail "$c --help prints no usage"
done

echo "options: all passed"
exit 0
