#!/bin/sh
# faultproxy_selftest.sh: the fault-injecting proxy of the sync tests does what
# it says, checked with curl against its own --serve-file mode: a clean pass
# (keep-alive, many connections at once), drop (curl 52, yet the request
# reached the server), truncate (curl 18), reset (curl 56), garble (a 200 of
# the right length with another body, for Content-Length and chunked bodies),
# delay, stall, --every, --faults-after, --per-request, the same faults for the
# same --seed, one log line per connection, a clean exit on SIGTERM.
FAULTPROXY=${FAULTPROXY:-${top_builddir:-.}/tests/integration/faultproxy}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
else
	. "$(dirname "$0")/../lib.sh"
fi
[ -x "$FAULTPROXY" ] || skip "no faultproxy binary at '$FAULTPROXY'"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
t=$T_TMP

pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# start NAME ARG...: run faultproxy in the background; its pid in $pid, its
# port in $port, its log in $t/NAME.err.
start() {
	name=$1
	shift
	rm -f "$t/$name.out" # not the last one's port: the job may open it late
	"$FAULTPROXY" "$@" >"$t/$name.out" 2>"$t/$name.err" &
	pid=$!
	pids="$pids $pid"
	port=
	i=0
	while [ $i -lt 100 ]; do
		port=$(head -1 "$t/$name.out" 2>/dev/null)
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || fail "faultproxy $* died: $(cat "$t/$name.err")"
		sleep 0.05
		i=$((i + 1))
	done
	fail "faultproxy $* printed no port"
}

# stop PID: SIGTERM, and it must exit 0.
stop() {
	kill "$1" || fail "faultproxy $1 is gone"
	wait "$1"
	rc=$?
	left=
	for p in $pids; do
		[ "$p" = "$1" ] || left="$left $p"
	done
	pids=$left
	[ $rc -eq 0 ] || fail "faultproxy exit status $rc after SIGTERM"
}

# get URL: curl's exit status in $rc, the body in $t/body, the time in $secs.
get() {
	rc=0
	secs=$(curl -sS -o "$t/body" -w '%{time_total}' "$@" 2>"$t/curl.err") || rc=$?
}

# proxy ARG...: a fresh proxy in front of the file server; $url leads to it.
proxy() {
	[ -n "${ppid_:-}" ] && stop "$ppid_"
	start proxy --upstream "127.0.0.1:$sport" "$@"
	ppid_=$pid
	url=http://127.0.0.1:$port/v1/pull
}

# Usage errors: exit 2 with a reason.
expect -s 2 -e "--upstream HOST:PORT" "" -- "$FAULTPROXY"
expect -s 2 -e "unknown fault 'melt'" "" -- "$FAULTPROXY" --upstream 127.0.0.1:1 --faults melt
expect -s 2 -e "--rate wants a probability" "" -- "$FAULTPROXY" --upstream 127.0.0.1:1 --rate 2
expect -s 2 -e "not both" "" -- "$FAULTPROXY" --upstream 127.0.0.1:1 --rate 1 --every 2
"$FAULTPROXY" --help | grep -q -- "--faults-after" || fail "--help lacks --faults-after"

# The upstreams: one with Content-Length, one chunked.
seq 1 20000 >"$t/file"
size=$(wc -c <"$t/file")
start serve --serve-file "$t/file"
spid=$pid
sport=$port
start chunked --serve-file "$t/file" --chunked
cpid=$pid
cport=$port

# The servers themselves: the file, twice on one connection, and a POST.
curl -sS -o "$t/b1" "http://127.0.0.1:$sport/" -o "$t/b2" "http://127.0.0.1:$cport/" ||
	fail "the file server does not answer"
cmp -s "$t/b1" "$t/file" && cmp -s "$t/b2" "$t/file" || fail "the file server's body differs"

# A clean pass: identical bodies, two requests on one connection (keep-alive,
# one log line), a POST body, twenty connections at once.
proxy --rate 0
get "$url" -o "$t/body2" "$url"
[ $rc -eq 0 ] || fail "clean pass: curl $rc: $(cat "$t/curl.err")"
cmp -s "$t/body" "$t/file" && cmp -s "$t/body2" "$t/file" || fail "clean pass: body differs"
get -d '{"changes": []}' -H 'Content-Type: application/json' "$url"
[ $rc -eq 0 ] && cmp -s "$t/body" "$t/file" || fail "clean POST: curl $rc"
cpids=
i=0
while [ $i -lt 20 ]; do
	curl -sS -o "$t/par.$i" "$url" 2>"$t/par.$i.err" &
	cpids="$cpids $!"
	i=$((i + 1))
done
wait_status=0
for p in $cpids; do
	wait "$p" || wait_status=1
done
[ $wait_status -eq 0 ] || fail "parallel clean pass: a curl failed: $(cat "$t"/par.*.err)"
i=0
while [ $i -lt 20 ]; do
	cmp -s "$t/par.$i" "$t/file" || fail "parallel clean pass: body $i differs"
	i=$((i + 1))
done
stop "$ppid_"
ppid_=
[ "$(grep -c '^faultproxy: conn [0-9]*: clean responses=' "$t/proxy.err")" = 22 ] ||
	fail "clean pass: not 22 clean log lines: $(cat "$t/proxy.err")"
grep -q '^faultproxy: conn 1: clean responses=2$' "$t/proxy.err" ||
	fail "keep-alive: conn 1 did not carry 2 responses: $(cat "$t/proxy.err")"

# drop: an empty reply (52), after the request reached the server.
proxy --faults drop
before=$(grep -c 'request .*: GET /v1/pull?drop' "$t/serve.err")
get "$url?drop"
[ $rc -eq 52 ] || fail "drop: curl $rc, not 52: $(cat "$t/curl.err")"
after=$(grep -c 'request .*: GET /v1/pull?drop' "$t/serve.err")
[ "$after" = $((before + 1)) ] || fail "drop: the request did not reach the server"
grep -q '^faultproxy: conn 1: drop responses=1$' "$t/proxy.err" ||
	fail "drop: log: $(cat "$t/proxy.err")"

# truncate: a partial file (18), Content-Length and chunked.
proxy --faults truncate --seed 3
get "$url"
[ $rc -eq 18 ] || fail "truncate: curl $rc, not 18: $(cat "$t/curl.err")"
got=$(wc -c <"$t/body")
[ "$got" -lt "$size" ] || fail "truncate: $got bytes of $size"
head -c "$got" "$t/file" | cmp -s - "$t/body" || fail "truncate: not a prefix"
start ctrunc --upstream "127.0.0.1:$cport" --faults truncate --seed 3
get "http://127.0.0.1:$port/"
[ $rc -eq 18 ] || fail "chunked truncate: curl $rc, not 18: $(cat "$t/curl.err")"
stop "$pid"

# reset: a connection reset mid-response (56).
proxy --faults reset --seed 5
get "$url"
[ $rc -eq 56 ] || fail "reset: curl $rc, not 56: $(cat "$t/curl.err")"

# garble: a 200 of the same length with another body; chunked too.
proxy --faults garble --seed 9
code=$(curl -sS -o "$t/body" -w '%{http_code}' "$url") || fail "garble: curl failed"
[ "$code" = 200 ] || fail "garble: status $code"
[ "$(wc -c <"$t/body")" = "$size" ] || fail "garble: length changed"
cmp -s "$t/body" "$t/file" && fail "garble: body unchanged"
start cgarble --upstream "127.0.0.1:$cport" --faults garble --garble-invalid
code=$(curl -sS -o "$t/body" -w '%{http_code}' "http://127.0.0.1:$port/") ||
	fail "chunked garble: curl failed"
[ "$code" = 200 ] && [ "$(wc -c <"$t/body")" = "$size" ] || fail "chunked garble: $code"
cmp -s "$t/body" "$t/file" && fail "chunked garble: body unchanged"
LC_ALL=C grep -q "$(printf '\377')" "$t/body" || fail "--garble-invalid: no 0xFF byte"
stop "$pid"

# delay: the whole body, at least delay-ms later.
proxy --faults delay --delay-ms 400
get "$url"
[ $rc -eq 0 ] && cmp -s "$t/body" "$t/file" || fail "delay: curl $rc or body differs"
awk "BEGIN { exit !($secs >= 0.4) }" || fail "delay: took only ${secs}s"

# stall: part of the body, then silence, the connection open (curl times
# out); the proxy exits cleanly with the stalled connection.
proxy --faults stall --stall-ms 5000
get --max-time 0.5 "$url"
[ $rc -eq 28 ] || fail "stall: curl $rc, not 28 (timeout): $(cat "$t/curl.err")"
[ "$(wc -c <"$t/body")" -lt "$size" ] || fail "stall: the whole body came"
# ... and with a shorter stall the connection is closed afterwards: partial file.
proxy --faults stall --stall-ms 300
get "$url"
[ $rc -eq 18 ] || fail "short stall: curl $rc, not 18: $(cat "$t/curl.err")"
awk "BEGIN { exit !($secs >= 0.3) }" || fail "short stall: took only ${secs}s"

# statuses URL N: curl's exit statuses of N requests, each on a new connection.
statuses() {
	s=
	n=0
	while [ $n -lt "$2" ]; do
		get "$1"
		s="$s$rc "
		n=$((n + 1))
	done
	echo "$s"
}

# --every 2: clean and faulty alternate.
proxy --every 2 --faults drop
[ "$(statuses "$url" 6)" = "0 52 0 52 0 52 " ] || fail "--every 2: $(statuses "$url" 6)"
# --faults-after 3: three clean, then every one faulty.
proxy --faults-after 3 --faults drop
[ "$(statuses "$url" 5)" = "0 0 0 52 52 " ] || fail "--faults-after 3"

# --rate with a seed: the same faults again for the same seed, a mix of both.
proxy --rate 0.5 --seed 7 --faults drop,truncate
first=$(statuses "$url" 12)
proxy --rate 0.5 --seed 7 --faults drop,truncate
[ "$(statuses "$url" 12)" = "$first" ] || fail "--seed 7 twice: '$first', then different"
case $first in *"0 "*) ;; *) fail "--rate 0.5: no clean connection: $first" ;; esac
case $first in *"52 "* | *"18 "*) ;; *) fail "--rate 0.5: no faulty connection: $first" ;; esac
[ "$(grep -c '^faultproxy: conn [0-9]*: ' "$t/proxy.err")" = 12 ] ||
	fail "not one log line per connection: $(cat "$t/proxy.err")"

# --per-request: on one keep-alive connection, the second response truncated.
proxy --per-request --every 2 --faults truncate
get "$url" -o "$t/body2" "$url"
[ $rc -eq 18 ] || fail "--per-request: curl $rc, not 18: $(cat "$t/curl.err")"
cmp -s "$t/body" "$t/file" || fail "--per-request: the first response was spoilt"
stop "$ppid_"
ppid_=
grep -q '^faultproxy: conn 1: clean,truncate responses=2$' "$t/proxy.err" ||
	fail "--per-request log: $(cat "$t/proxy.err")"

stop "$spid"
stop "$cpid"
exit 0
