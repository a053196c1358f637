#!/bin/sh
# contact.sh: the public contact-form intake of handeskd against a real
# PostgreSQL: postcode areas (handeskd centre area), the configuration file
# (site keys, default centre, rate limit, trusted proxy), POST
# /v1/contact-forms assigning each form to a centre (the person's by INSZ,
# else the postcode's area, else the default) as a contact_form row that
# only that centre sees, the refusals (no site key 401, wrong media type
# 415, too large 413, malformed or hostile bodies 400, all with a JSON
# error, the service still answering), the rate limit shared by two
# instances (429 with Retry-After), HTTPS with a throwaway certificate
# (where openssl is installed), and syslog mode.
HANDESKD=${HANDESKD:-./handeskd}
if [ -n "${top_srcdir:-}" ] && [ -f "$top_srcdir/tests/lib.sh" ]; then
	. "$top_srcdir/tests/lib.sh"
	. "$top_srcdir/tests/integration/pg.sh"
else
	. "$(dirname "$0")/../lib.sh"
	. "$(dirname "$0")/pg.sh"
fi
[ -n "$HANDESKD" ] && [ -x "$HANDESKD" ] || skip "no handeskd binary at '$HANDESKD'"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
export HANDESKD LC_ALL=C.UTF-8
unset LANGUAGE HANDESKD_DB
pg_cluster "$@"

# --- inside the throwaway cluster (the PG* variables lead to it) ---
t=$T_TMP
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	hd_kill_all
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# handeskd runs as a role that is neither superuser nor BYPASSRLS, as in
# production, so that row-level security applies to it; where the cluster
# does not let it log in, as the cluster's own user.
q -c "CREATE ROLE hdk LOGIN CREATEROLE PASSWORD 'hdk'" || fail "create role"
q -c "CREATE DATABASE contact OWNER hdk" || fail "create database"
db="dbname=contact user=hdk password=hdk"
if ! psql -X -q -d "$db" -c 'SELECT 1' >/dev/null 2>&1; then
	echo "note: the cluster refuses role hdk; handeskd runs as $(q -c 'SELECT current_user')"
	db="dbname=contact"
fi
hd() { "$HANDESKD" --db "$db" "$@"; }
qc() { q -d contact "$@"; }

hd migrate >"$t/out" 2>&1 || fail "migrate: $(cat "$t/out")"
hd centre add --code ANT --name "Centrum Antwerpen" --language nl >/dev/null || fail "centre ANT"
hd centre add --code BRU --name "Centre de Bruxelles" --language fr >/dev/null || fail "centre BRU"
hd centre add --code GNT --name "Centrum Gent" --language nl >/dev/null || fail "centre GNT"

# --- postcode areas ---
expect "Postcodes 2000 to 2999 go to centre ANT." -- hd centre area add --centre ant --from 2000 --to 2999
expect "Postcodes 1000 to 1299 go to centre BRU." -- hd centre area add --centre BRU --from 1000 --to 1299
expect -s 1 -e "overlap the area 2000-2999 of centre ANT" "" -- \
	hd centre area add --centre BRU --from 2500 --to 3100
expect -s 1 -e "overlap" "" -- hd centre area add --centre ANT --from 1299 --to 1299
expect -s 1 -e "no centre with code XYZ" "" -- hd centre area add --centre XYZ --from 5000 --to 5999
expect -s 2 -e "--from and --to want postcodes" "" -- hd centre area add --centre ANT --from 3000 --to 2999
expect -s 2 -e "--from and --to want postcodes" "" -- hd centre area add --centre ANT --from 999 --to 1000
expect -s 2 -e "--centre, --from and --to" "" -- hd centre area add --centre ANT --from 3000
expect "$(printf 'BRU\t1000\t1299\nANT\t2000\t2999')" -- hd centre area list
hd centre area --help | grep -q "area add" || fail "centre area --help"

# A living person of BRU, and a deleted one of ANT (written as the cluster's
# user: the persons come from pushes, not from this test's subject).
q -d contact -c "INSERT INTO record (entity, id, centre_id, version, updated_at, data)
	SELECT 'person', '11111111-1111-4111-8111-111111111111', id, nextval('record_version'), now(),
	 '{\"insz\":\"85073003328\",\"family_name\":\"Peeters\"}' FROM centre WHERE code = 'BRU';
	INSERT INTO record (entity, id, centre_id, version, updated_at, deleted, data)
	SELECT 'person', '22222222-2222-4222-8222-222222222222', id, nextval('record_version'), now(), true,
	 '{\"insz\":\"17073003384\",\"family_name\":\"Janssens\"}' FROM centre WHERE code = 'ANT'" ||
	fail "insert persons"

# --- configuration ---
key=site-key-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
cat >"$t/conf" <<CONF
# handeskd.conf of the test
database = $db
threads = 2
site_key = another-site-key-000000
site_key = $key
default_centre = GNT
rate_limit = 5
trust_proxy = yes
syslog = no
CONF

expect -s 2 -e "cannot read" "" -- "$HANDESKD" --config "$t/nosuch" centre list
printf 'frobnicate = 1\n' >"$t/bad.conf"
expect -s 2 -e "bad.conf:1: unknown key 'frobnicate'" "" -- "$HANDESKD" --config "$t/bad.conf" centre list
printf 'threads = 1\nrate_limit = many\n' >"$t/bad.conf"
expect -s 2 -e "bad.conf:2: rate_limit must be" "" -- "$HANDESKD" --config "$t/bad.conf" centre list
printf 'site_key = short\n' >"$t/bad.conf"
expect -s 2 -e "bad.conf:1: site_key must be" "" -- "$HANDESKD" --config "$t/bad.conf" centre list
printf 'site_key = %s\n' "$key" >"$t/bad.conf"
expect -s 2 -e "default_centre" "" -- "$HANDESKD" --db "$db" --config "$t/bad.conf" serve
printf 'tls_cert = %s\n' "$t/conf" >"$t/bad.conf"
expect -s 2 -e "--tls-key" "" -- "$HANDESKD" --db "$db" --config "$t/bad.conf" serve
expect -s 2 -e "--max-body wants" "" -- "$HANDESKD" --config "$t/conf" serve --max-body 12Q
# The database of the file is used (no --db).
"$HANDESKD" --config "$t/conf" centre list >"$t/out" 2>&1 || fail "centre list with --config: $(cat "$t/out")"
[ "$(wc -l <"$t/out")" = 3 ] || fail "centre list with --config: $(cat "$t/out")"

# serve NAME [ARG]...: handeskd --config $t/conf serve on a free port
# (sets ${NAME}_port); stop NAME: SIGTERM, which must end it cleanly.
HD_ARGS="--config $t/conf"
serve() { hd_serve "$@"; }
stop() {
	hd_stop "$1"
	[ "$hd_status" -eq 0 ] || fail "handeskd serve ($1) exit status $hd_status: $(cat "$t/$1.err")"
}

serve one
base=http://127.0.0.1:$one_port

# post BODY [SOURCE] [KEY] [CONTENT-TYPE]: POST to /v1/contact-forms; the
# status in $code, the body in $t/body, the headers in $t/headers.
post() {
	printf '%s' "$1" >"$t/req"
	_k=${3-$key}
	code=$(curl -s -o "$t/body" -D "$t/headers" -w '%{http_code}' \
		-H "Content-Type: ${4:-application/json}" -H "X-Forwarded-For: ${2:-127.0.0.1}" \
		-H "Handesk-Site-Key: $_k" --data-binary @"$t/req" "$base/v1/contact-forms")
}
# The centre code and person_id of the contact form with that id.
form_of() {
	qc -c "SELECT c.code || ' ' || (r.data ->> 'person_id') || ' ' || (r.data ->> 'status')
		FROM record r JOIN centre c ON c.id = r.centre_id
		WHERE r.entity = 'contact_form' AND r.id = '$1'"
}
id_of_reply() {
	sed -n 's/.*"id": *"\([0-9a-f-]\{36\}\)".*/\1/p' "$t/body"
}
json_error() {
	grep -q "\"error\": *\"$1\"" "$t/body" || fail "$2: no error $1: $code $(cat "$t/body")"
}

# 1. By the person's INSZ (BRU), though the postcode is ANT's.
post '{"name":"Jan Peeters","email":"jan@example.be","insz":"85.07.30-033.28","language":"nl","subject":"Afspraak","message":"Goeiedag,\nik heb een vraag.","postcode":"2000","attachments":[{"name":"attest.pdf","type":"application/pdf","size":20480}]}'
[ "$code" = 201 ] || fail "form by INSZ: $code $(cat "$t/body")"
grep -q '"received_at": *"20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*\.[0-9][0-9][0-9]Z"' "$t/body" ||
	fail "201 without received_at: $(cat "$t/body")"
id1=$(id_of_reply)
[ "$(form_of "$id1")" = "BRU 11111111-1111-4111-8111-111111111111 new" ] ||
	fail "form by INSZ went to: $(form_of "$id1")"
[ "$(qc -c "SELECT data ->> 'insz' FROM record WHERE id = '$id1'")" = 85073003328 ] ||
	fail "the INSZ is not stored as its digits"
[ "$(qc -c "SELECT data ->> 'attachments' FROM record WHERE id = '$id1'")" = \
	'[{"name":"attest.pdf","type":"application/pdf","size":20480}]' ] ||
	fail "attachments: $(qc -c "SELECT data ->> 'attachments' FROM record WHERE id = '$id1'")"
[ "$(qc -c "SELECT version > 0 AND txid IS NOT NULL AND updated_by = '' AND NOT deleted FROM record WHERE id = '$id1'")" = t ] ||
	fail "sync columns of the form"
# 2. By postcode area (ANT); 3. by default (GNT); 4. a deleted person's
# INSZ does not count.
post '{"name":"An","phone":"03 123 45 67","language":"nl","message":"Vraag","postcode":"2600"}'
[ "$code" = 201 ] || fail "form by postcode: $code $(cat "$t/body")"
id2=$(id_of_reply)
[ "$(form_of "$id2")" = "ANT  new" ] || fail "form by postcode went to: $(form_of "$id2")"
post '{"name":"Marie","email":"marie@example.be","language":"fr","message":"Question","postcode":"9000"}'
[ "$code" = 201 ] || fail "form by default: $code $(cat "$t/body")"
id3=$(id_of_reply)
[ "$(form_of "$id3")" = "GNT  new" ] || fail "form by default went to: $(form_of "$id3")"
post '{"name":"Kim","email":"kim@example.be","language":"de","message":"Frage","insz":"17073003384"}' 192.0.2.99
[ "$code" = 201 ] || fail "form with a deleted person's INSZ: $code $(cat "$t/body")"
id4=$(id_of_reply)
[ "$(form_of "$id4")" = "GNT  new" ] || fail "form of a deleted person went to: $(form_of "$id4")"

# Each centre sees its forms only, as its sync requests do.
seen() {
	qc -c "SET ROLE handesk_centre; SET handesk.centre_id = '$(qc -c "SELECT id FROM centre WHERE code = '$1'")';
		SELECT string_agg(id::text, ' ' ORDER BY id) FROM record WHERE entity = 'contact_form'"
}
[ "$(seen BRU)" = "$id1" ] || fail "BRU sees: $(seen BRU)"
[ "$(seen ANT)" = "$id2" ] || fail "ANT sees: $(seen ANT)"
[ "$(seen GNT)" = "$(printf '%s\n%s\n' "$id3" "$id4" | sort | tr '\n' ' ' | sed 's/ $//')" ] ||
	fail "GNT sees: $(seen GNT)"

# --- refusals: each a 4xx with a JSON error; nothing stored ---
before=$(qc -c "SELECT count(*) FROM record WHERE entity = 'contact_form'")
good='{"name":"X","email":"x@example.be","language":"nl","message":"x"}'
post "$good" 192.0.2.50 ""
[ "$code" = 401 ] || fail "empty site key: $code"
json_error unauthorized "empty site key"
code=$(curl -s -o "$t/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "$good" "$base/v1/contact-forms")
[ "$code" = 401 ] || fail "no site key: $code"
json_error unauthorized "no site key"
post "$good" 192.0.2.50 "${key}x"
[ "$code" = 401 ] || fail "wrong site key: $code"
post "$good" 192.0.2.50 "$key" "text/plain"
[ "$code" = 415 ] || fail "text/plain: $code"
json_error unsupported_media_type "text/plain"
post '{"name":"X","email":"not-an-address","language":"nl","message":"x"}' 192.0.2.50
[ "$code" = 400 ] || fail "bad e-mail: $code"
json_error bad_request "bad e-mail"
grep -q '"field": *"email"' "$t/body" || fail "bad e-mail: no field: $(cat "$t/body")"
grep -q '"request_id": *"' "$t/body" || fail "error without request_id: $(cat "$t/body")"
post '{"name":"X","email":"x@example.be","language":"nl","message":"x","centre_id":"x"}' 192.0.2.50
[ "$code" = 400 ] && grep -q '"field": *"centre_id"' "$t/body" || fail "unknown key: $code $(cat "$t/body")"
post '{"name":"X","email":"x@example.be","language":"nl","message":"x\u0000"}' 192.0.2.50
[ "$code" = 400 ] && grep -q '"field": *"message"' "$t/body" || fail "NUL: $code $(cat "$t/body")"
printf '{"name":"caf\351","email":"x@example.be","language":"nl","message":"x"}' >"$t/latin1"
post "$(cat "$t/latin1")" 192.0.2.50
[ "$code" = 400 ] || fail "Latin-1 body: $code $(cat "$t/body")"
json_error bad_request "Latin-1 body"
for hostile in '{' '[]' 'null' '{"name":1e999999}' "$(printf '%5000s' '' | tr ' ' '[')" \
	'{"name":"X","email":"x@example.be","language":"nl","message":"x","attachments":[{"name":"a.exe","type":"application/x-msdownload","size":1}]}' \
	'{"name":"X","email":"x@example.be","language":"nl","message":"x","attachments":[{"name":"a.pdf","type":"application/pdf","size":99999999999999999999999999}]}'; do
	post "$hostile" 192.0.2.50
	[ "$code" = 400 ] || fail "hostile body $(printf '%.60s' "$hostile"): $code $(cat "$t/body")"
	json_error bad_request "hostile body"
done
# Too large: a 70 KB form (413 before it is parsed), and a declared body
# beyond max_body (refused before it is read).
{
	printf '{"name":"X","email":"x@example.be","language":"nl","message":"'
	head -c 70000 /dev/zero | tr '\0' 'a'
	printf '"}'
} >"$t/big"
post "$(cat "$t/big")" 192.0.2.50
[ "$code" = 413 ] || fail "70 KB form: $code $(cat "$t/body")"
json_error too_large "70 KB form"
head -c 9000000 /dev/zero | tr '\0' ' ' >"$t/huge"
code=$(curl -s -o "$t/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	-H "Handesk-Site-Key: $key" --data-binary @"$t/huge" "$base/v1/contact-forms")
[ "$code" = 413 ] || fail "9 MB body: $code"
code=$(curl -s -o "$t/body" -w '%{http_code}' -X GET "$base/v1/contact-forms")
[ "$code" = 405 ] || fail "GET /v1/contact-forms: $code"
[ "$(qc -c "SELECT count(*) FROM record WHERE entity = 'contact_form'")" = "$before" ] ||
	fail "a refused form was stored"
code=$(curl -s -o "$t/body" -w '%{http_code}' "$base/v1/health")
[ "$code" = 200 ] || fail "/v1/health after the hostile bodies: $code"

# --- the rate limit: 5 a minute per source, shared by two instances, the
# source taken from X-Forwarded-For of the loopback proxy ---
serve two
# Stay inside one minute: a window that ends during the burst resets it.
[ "$(date +%S | sed 's/^0//')" -lt 50 ] || sleep 11
port_one=$one_port
for i in 1 2 3 4 5; do
	[ $((i % 2)) = 0 ] && base=http://127.0.0.1:$two_port || base=http://127.0.0.1:$port_one
	post "$good" 198.51.100.7
	[ "$code" = 201 ] || fail "form $i from 198.51.100.7: $code $(cat "$t/body")"
done
base=http://127.0.0.1:$two_port
post "$good" 198.51.100.7
[ "$code" = 429 ] || fail "sixth form: $code $(cat "$t/body")"
json_error rate_limited "sixth form"
retry=$(tr -d '\r' <"$t/headers" | sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\)$/\1/p')
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 60 ] || fail "Retry-After '$retry'"
post "$good" 198.51.100.8
[ "$code" = 201 ] || fail "another source is limited too: $code"
[ "$(qc -c "SELECT count FROM rate_limit WHERE source = '198.51.100.7'")" = 6 ] ||
	fail "rate_limit rows: $(qc -c 'SELECT * FROM rate_limit')"
stop two
stop one
grep -q 'contact form [0-9a-f-]* to centre BRU (by person)' "$t/one.err" ||
	fail "no log line of the form: $(cat "$t/one.err")"

# --- syslog: serves, logs nothing on standard error per request, stops ---
serve slog --syslog
base=http://127.0.0.1:$slog_port
post "$good" 203.0.113.1
[ "$code" = 201 ] || fail "form with syslog: $code $(cat "$t/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/health")
[ "$code" = 200 ] || fail "/v1/health with syslog: $code"
stop slog
grep -q 'contact-forms' "$t/slog.err" && fail "syslog mode logged on standard error: $(cat "$t/slog.err")"

# --- HTTPS with a throwaway certificate ---
if ! command -v openssl >/dev/null 2>&1; then
	echo "openssl not installed: HTTPS part skipped"
	exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$t/key.pem" -out "$t/cert.pem" >"$t/openssl.log" 2>&1 ||
	fail "openssl req: $(cat "$t/openssl.log")"
printf 'tls_cert = %s\ntls_key = %s\n' "$t/cert.pem" "$t/key.pem" >>"$t/conf"
serve tls
code=$(curl -s -o "$t/body" -w '%{http_code}' --cacert "$t/cert.pem" "https://127.0.0.1:$tls_port/v1/health")
[ "$code" = 200 ] || fail "https /v1/health: $code $(cat "$t/tls.err")"
code=$(curl -s -o "$t/body" -w '%{http_code}' --cacert "$t/cert.pem" -H 'Content-Type: application/json' \
	-H "Handesk-Site-Key: $key" --data-binary "$good" "https://127.0.0.1:$tls_port/v1/contact-forms")
[ "$code" = 201 ] || fail "https contact form: $code $(cat "$t/body")"
# Without the certificate curl refuses it; plain HTTP gets no answer.
curl -s -o /dev/null "https://127.0.0.1:$tls_port/v1/health" && fail "curl trusted the throwaway certificate"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tls_port/v1/health")
[ "$code" = 200 ] && fail "plain HTTP answered on the HTTPS port"
stop tls
# A key that is not PEM: a clear refusal.
printf 'garbage\n' >"$t/key.pem"
expect -s 2 -e "not a PEM file" "" -- "$HANDESKD" --config "$t/conf" serve --listen 127.0.0.1:0
exit 0
