# tmux.sh: helpers for the end-to-end tests, sourced by them: run the real
# handesk in a detached tmux session on a socket of its own, type into it,
# wait for text to appear on the screen, and always clean up.
#
# Env: HANDESK (the binary), top_srcdir, top_builddir (from make check).
# Exit codes follow automake: 0 pass, 77 skip, anything else fail.

E2E_SOCKET="handesk-e2e-$$"
E2E_SESSION="e2e"
E2E_TIMEOUT="${E2E_TIMEOUT:-10}" # seconds to wait for a text
E2E_TMP=""

e2e_skip() {
	echo "SKIP: $*"
	exit 77
}

e2e_tmux() {
	tmux -L "$E2E_SOCKET" -f /dev/null "$@"
}

E2E_SERVER_PID=""

e2e_cleanup() {
	tmux -L "$E2E_SOCKET" kill-server >/dev/null 2>&1
	# tmux 3.3 sometimes leaves a pane's process unreaped, and then its
	# server outlives kill-server: end it by its pid (ours alone).
	if [ -n "$E2E_SERVER_PID" ] && kill -0 "$E2E_SERVER_PID" 2>/dev/null; then
		sleep 0.2
		kill "$E2E_SERVER_PID" 2>/dev/null
	fi
	[ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
}

# e2e_init: check the tools, make a temporary directory ($E2E_TMP), arm
# the clean-up for every way out.
e2e_init() {
	command -v tmux >/dev/null 2>&1 || e2e_skip "tmux not installed"
	[ -n "$HANDESK" ] && [ -x "$HANDESK" ] || e2e_skip "HANDESK not set or not executable"
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/handesk-e2e.XXXXXX") || exit 99
	trap 'e2e_cleanup' EXIT
	trap 'exit 99' HUP INT TERM
}

# e2e_start COLS ROWS ARG...: start handesk with ARGs in a COLSxROWS window.
# The pane stays after handesk exits, so its last screen can be read.
e2e_start() {
	cols=$1 rows=$2
	shift 2
	e2e_tmux kill-session -t "$E2E_SESSION" >/dev/null 2>&1
	# Quote every argument for the shell tmux runs the command with.  That
	# shell also writes down the exit status: tmux does not always reap a
	# pane's process in time to report it.
	rm -f "$E2E_TMP/exit.status"
	cmd="env LC_ALL=C.UTF-8 TERM=xterm-256color"
	for a in "$HANDESK" "$@"; do
		cmd="$cmd '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	cmd="$cmd; echo \$? >'$E2E_TMP/exit.status'"
	e2e_tmux new-session -d -s "$E2E_SESSION" -x "$cols" -y "$rows" "$cmd" || {
		echo "FAIL: cannot start tmux"
		exit 99
	}
	e2e_tmux set-option -t "$E2E_SESSION" remain-on-exit on >/dev/null
	E2E_SERVER_PID=$(e2e_tmux display-message -p '#{pid}')
}

# e2e_screen: print what the screen shows now.
e2e_screen() {
	e2e_tmux capture-pane -p -t "$E2E_SESSION" 2>/dev/null
}

# e2e_fail MESSAGE: say what failed, show the screen, exit.
e2e_fail() {
	echo "FAIL: $*"
	echo "----- screen -----"
	e2e_screen
	echo "------------------"
	exit 1
}

# e2e_keys KEY...: send tmux key names (Enter, Tab, F2, C-s, Escape ...).
e2e_keys() {
	e2e_tmux send-keys -t "$E2E_SESSION" "$@"
	sleep 0.05
}

# e2e_type TEXT: type literal (UTF-8) text.
e2e_type() {
	e2e_tmux send-keys -t "$E2E_SESSION" -l "$1"
	sleep 0.05
}

# e2e_wait TEXT [WHAT]: wait until TEXT (a fixed string) is on screen, or
# fail after $E2E_TIMEOUT seconds saying WHAT was expected.
e2e_wait() {
	tries=$((E2E_TIMEOUT * 20))
	while [ "$tries" -gt 0 ]; do
		if e2e_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		tries=$((tries - 1))
	done
	e2e_fail "${2:-waiting for} '$1' (after ${E2E_TIMEOUT}s)"
}

# e2e_wait_gone TEXT [WHAT]: wait until TEXT is no longer on screen.
e2e_wait_gone() {
	tries=$((E2E_TIMEOUT * 20))
	while [ "$tries" -gt 0 ]; do
		if ! e2e_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		tries=$((tries - 1))
	done
	e2e_fail "${2:-waiting for this to go away:} '$1' (after ${E2E_TIMEOUT}s)"
}

# e2e_line N: line N (0 = top) of the screen.
e2e_line() {
	e2e_screen | sed -n "$(($1 + 1))p"
}

# e2e_expect_line N TEXT [WHAT]: line N shows TEXT.
e2e_expect_line() {
	e2e_line "$1" | grep -qF -- "$2" || e2e_fail "${3:-line $1 should show} '$2'"
}

# e2e_resize COLS ROWS: resize the window, as a terminal emulator would.
e2e_resize() {
	e2e_tmux resize-window -t "$E2E_SESSION" -x "$1" -y "$2"
	sleep 0.1
}

# e2e_wait_exit: wait until handesk has ended.
e2e_wait_exit() {
	tries=$((E2E_TIMEOUT * 20))
	while [ "$tries" -gt 0 ]; do
		if [ -s "$E2E_TMP/exit.status" ]; then
			return 0
		fi
		sleep 0.05
		tries=$((tries - 1))
	done
	e2e_fail "handesk did not exit"
}

# e2e_exit_status: handesk's exit status (128+N if killed by signal N), or
# nothing while it runs.
e2e_exit_status() {
	cat "$E2E_TMP/exit.status" 2>/dev/null
}
