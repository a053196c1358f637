# pg.sh: a throwaway PostgreSQL cluster and handeskd on loopback for the
# integration tests (source it after tests/lib.sh).
#
#   pg_cluster "$@"        first line of a test: unless called with --inside,
#                          start a throwaway cluster, run this same script in
#                          it (the PG* variables lead to it) with --inside,
#                          stop and remove the cluster, exit with its status;
#                          skip (77) where PostgreSQL's programs are missing
#   hd_serve NAME [ARG]... start `handeskd $HD_ARGS serve --listen 127.0.0.1:0 ARG...`
#                          in the background; sets ${NAME}_pid and
#                          ${NAME}_port, its output in $T_TMP/NAME.out|.err
#   hd_stop NAME           SIGTERM and wait (exit status in $hd_status)
#   hd_kill_all            what the test's cleanup calls: every server left
#   hk_cache NAME CENTRE [PORT]
#                          a handesk configuration $T_TMP/NAME.conf (mode
#                          0600): cache $T_TMP/NAME.db, server on loopback
#                          PORT (default $srv_port), a token of CENTRE made
#                          with `handeskd token add` the first time
#   hs NAME ARG...         handesk with that configuration
#   ct NAME ARG...         tests/integration/cachetool on its cache
#
# The cluster is started as the postgres user when we are root: run as root,
# pg_virtualenv always names its cluster 15/regress in /etc/postgresql, and
# two at once refuse each other.  Otherwise pg_virtualenv, which keeps
# everything in a temporary directory for non-root users.  Both on a Unix
# socket of their own, no TCP port to collide on, fsync off.

pg_own_cluster() {
	pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$pgbin/initdb" ] && command -v runuser >/dev/null 2>&1 || return 125
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/handesk-pg.XXXXXX") || return 125
	chown postgres "$pgdir" || { rm -rf "$pgdir"; return 125; }
	if ! runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1; then
		cat "$pgdir/initdb.log" >&2
		rm -rf "$pgdir"
		return 1
	fi
	if ! runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/server.log" -o \
		"-c listen_addresses='' -c unix_socket_directories='$pgdir' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
		start >/dev/null 2>&1; then
		cat "$pgdir/server.log" >&2
		rm -rf "$pgdir"
		return 1
	fi
	PGHOST=$pgdir PGUSER=postgres PGDATABASE=postgres sh "$0" --inside
	rc=$?
	runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$pgdir"
	return $rc
}

pg_cluster() {
	[ "${1:-}" = --inside ] && return 0
	command -v psql >/dev/null 2>&1 || skip "psql not installed"
	unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE
	rc=125
	[ "$(id -u)" = 0 ] && { pg_own_cluster >"$T_TMP/cluster.log" 2>&1; rc=$?; }
	if [ $rc -eq 125 ]; then
		command -v pg_virtualenv >/dev/null 2>&1 ||
			skip "pg_virtualenv (postgresql-common) not installed"
		pg_virtualenv -o fsync=off -o full_page_writes=off -o synchronous_commit=off \
			-o max_connections=200 sh "$0" --inside >"$T_TMP/cluster.log" 2>&1
		rc=$?
	fi
	[ $rc -eq 0 ] || cat "$T_TMP/cluster.log" >&2
	# What the test says of itself ("faults.sh: ...") shows in its log.
	[ $rc -eq 0 ] && grep -h '^[a-z_]*\.sh: ' "$T_TMP/cluster.log"
	exit $rc
}

hd_servers=
hd_serve() {
	_n=$1
	shift
	# shellcheck disable=SC2086 # HD_ARGS: global options, word-split on purpose
	"$HANDESKD" ${HD_ARGS:-} serve --listen 127.0.0.1:0 "$@" >"$T_TMP/$_n.out" 2>"$T_TMP/$_n.err" &
	eval "${_n}_pid=$!"
	hd_servers="$hd_servers $!"
	_i=0 _port=
	while [ $_i -lt 150 ]; do
		_port=$(sed -n 's/^handeskd: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$T_TMP/$_n.out")
		[ -n "$_port" ] && break
		eval "kill -0 \$${_n}_pid" 2>/dev/null ||
			fail "handeskd serve ($_n) died: $(cat "$T_TMP/$_n.err")"
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -n "$_port" ] || fail "handeskd serve ($_n) did not say where it listens: $(cat "$T_TMP/$_n.err")"
	eval "${_n}_port=$_port"
}

hd_stop() {
	eval "_p=\$${1}_pid"
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	hd_status=$?
	eval "${1}_pid="
}

hd_kill_all() {
	for _p in $hd_servers; do
		kill "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
	hd_servers=
}

hk_cache() {
	[ -s "$T_TMP/$1.token" ] || "$HANDESKD" ${HD_ARGS:-} token add --centre "$2" --name "$1" \
		>"$T_TMP/$1.token" 2>/dev/null || fail "token add $1"
	(
		umask 077
		printf 'cache = %s\nserver = http://127.0.0.1:%s\ntoken = %s\n' "$T_TMP/$1.db" \
			"${3:-$srv_port}" "$(cat "$T_TMP/$1.token")" >"$T_TMP/$1.conf"
	)
}

hs() {
	_c=$1
	shift
	"$HANDESK" --config "$T_TMP/$_c.conf" "$@"
}

ct() {
	_c=$1
	shift
	"${CACHETOOL:-${top_builddir:-.}/tests/integration/cachetool}" "$T_TMP/$_c.db" "$@"
}
