/* contact.c: the central store's side of the contact-form intake: postcode
 * areas, the shared rate limit, and the form stored as a record row of the
 * centre it is assigned to.  Values only as parameters of PQexecParams. */
#include "autoconf.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h" /* db_cache_cause */
#include "central.h"
#include "contact.h"

/* Timestamps of the sync protocol: UTC with milliseconds. */
#define TS_MS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static PGresult *exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
	return PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
}

static bool ok(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* A failed result as a code and a cause "what: message". */
static enum rc failed(PGconn *conn, PGresult *r, const char *what, char **cause)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[512];
	enum rc rc = RC_IO;

	if (!primary) {
		snprintf(msg, sizeof msg, "%s", conn ? PQerrorMessage(conn) : "no connection");
		for (char *p = msg; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		primary = msg;
	}
	if (state) {
		if (!strcmp(state, "23505") || !strcmp(state, "23P01"))
			rc = RC_DUPLICATE;
		else if (!strcmp(state, "23503"))
			rc = RC_NOTFOUND;
		else if (!strncmp(state, "22", 2) || !strcmp(state, "23514") ||
		         !strcmp(state, "23502"))
			rc = RC_INVALID;
		else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
			rc = RC_CONFLICT;
		else if (!strcmp(state, "42P01") || !strcmp(state, "42703") ||
		         !strcmp(state, "42883"))
			rc = RC_SCHEMA;
	}
	if (rc == RC_SCHEMA)
		db_cache_cause(cause, "%s: %s (has handeskd migrate been run?)", what, primary);
	else
		db_cache_cause(cause, "%s: %s", what, primary);
	return rc;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

enum rc db_contact_area_add(struct central *db, const char *centre_code, int from, int to,
                            char **cause)
{
	PGconn *conn = db_central_conn(db);
	char f[16], t[16];
	const char *params[] = {centre_code, f, t};
	PGresult *r;
	enum rc rc = RC_OK;

	if (from < 1000 || to > 9999 || from > to) {
		db_cache_cause(cause,
		               "a postcode area runs from 1000..9999 to a postcode not below "
		               "it, not %d to %d",
		               from, to);
		return RC_INVALID;
	}
	snprintf(f, sizeof f, "%d", from);
	snprintf(t, sizeof t, "%d", to);
	r = exec(conn,
	         "INSERT INTO centre_area (centre_id, postcode_from, postcode_to)"
	         " SELECT id, $2::int, $3::int FROM centre WHERE code = $1 RETURNING 1",
	         3, params);
	if (!ok(r)) {
		rc = failed(conn, r, "centre area", cause);
		if (rc == RC_DUPLICATE) {
			PGresult *o;

			free(*cause);
			*cause = NULL;
			o = exec(conn,
			         "SELECT c.code, a.postcode_from, a.postcode_to FROM centre_area a"
			         " JOIN centre c ON c.id = a.centre_id"
			         " WHERE int4range(a.postcode_from, a.postcode_to, '[]') &&"
			         " int4range($1::int, $2::int, '[]')"
			         " ORDER BY a.postcode_from LIMIT 1",
			         2, params + 1);
			if (ok(o) && PQntuples(o) == 1)
				db_cache_cause(
				    cause,
				    "postcodes %d to %d overlap the area %s-%s of centre %s: "
				    "a postcode belongs to one centre",
				    from, to, PQgetvalue(o, 0, 1), PQgetvalue(o, 0, 2),
				    PQgetvalue(o, 0, 0));
			else
				db_cache_cause(cause, "postcodes %d to %d overlap another area",
				               from, to);
			PQclear(o);
		}
		goto out;
	}
	if (PQntuples(r) != 1) {
		db_cache_cause(cause, "there is no centre with code %s", centre_code);
		rc = RC_NOTFOUND;
	}
out:
	PQclear(r);
	return rc;
}

enum rc db_contact_area_list(struct central *db, struct db_contact_area **out, int *n, char **cause)
{
	PGconn *conn = db_central_conn(db);
	struct db_contact_area *v = NULL;
	PGresult *r;
	enum rc rc = RC_OK;
	int rows;

	*out = NULL;
	*n = 0;
	r = exec(conn,
	         "SELECT c.code, a.postcode_from, a.postcode_to FROM centre_area a"
	         " JOIN centre c ON c.id = a.centre_id ORDER BY a.postcode_from",
	         0, NULL);
	if (!ok(r)) {
		rc = failed(conn, r, "centre areas", cause);
		goto out;
	}
	rows = PQntuples(r);
	v = calloc(rows ? (size_t)rows : 1, sizeof *v);
	if (!v) {
		db_cache_cause(cause, "out of memory");
		rc = RC_NOMEM;
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		copy(v[i].centre_code, sizeof v[i].centre_code, PQgetvalue(r, i, 0));
		v[i].from = atoi(PQgetvalue(r, i, 1));
		v[i].to = atoi(PQgetvalue(r, i, 2));
	}
	*out = v;
	*n = rows;
out:
	PQclear(r);
	return rc;
}

enum rc db_contact_rate(struct central *db, const char *source, unsigned limit, int *retry_after,
                        char **cause)
{
	PGconn *conn = db_central_conn(db);
	const char *params[] = {source};
	PGresult *r;
	enum rc rc = RC_OK;
	long count;

	*retry_after = 0;
	/* One statement: the count of this minute, and the seconds left in it. */
	r = exec(conn,
	         "WITH w AS (SELECT date_trunc('minute', now()) AS start),"
	         " up AS (INSERT INTO rate_limit AS rl (source, window_start, count)"
	         "  SELECT $1, start, 1 FROM w"
	         "  ON CONFLICT (source, window_start) DO UPDATE SET count = rl.count + 1"
	         "  RETURNING rl.count)"
	         " SELECT (SELECT count FROM up),"
	         " greatest(1, ceil(extract(epoch FROM"
	         "  (SELECT start FROM w) + interval '1 minute' - now())))::int",
	         1, params);
	if (!ok(r) || PQntuples(r) != 1) {
		rc = failed(conn, r, "rate limit", cause);
		goto out;
	}
	count = atol(PQgetvalue(r, 0, 0));
	if (count > (long)limit) {
		*retry_after = atoi(PQgetvalue(r, 0, 1));
		rc = RC_DENIED;
	} else if (count == 1) {
		/* A new minute of this source: forget the minutes long gone. */
		PGresult *d = exec(
		    conn, "DELETE FROM rate_limit WHERE window_start < now() - interval '1 hour'",
		    0, NULL);
		PQclear(d);
	}
out:
	PQclear(r);
	return rc;
}

static void rollback(PGconn *conn)
{
	PGresult *r = PQexec(conn, "ROLLBACK");
	PQclear(r);
}

enum rc db_contact_insert(struct central *db, const char *data, const char *insz,
                          const char *postcode, const char *default_centre,
                          struct db_contact_stored *out, char **cause)
{
	PGconn *conn = db_central_conn(db);
	const char *find[] = {insz ? insz : "", postcode ? postcode : "",
	                      default_centre ? default_centre : ""};
	const char *ins[3];
	char centre_id[37], person_id[37], how[16];
	PGresult *r = NULL;
	enum rc rc;

	memset(out, 0, sizeof *out);
	r = PQexec(conn, "BEGIN");
	if (!ok(r)) {
		rc = failed(conn, r, "contact form", cause);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	/* The centre: of the person with that INSZ, else of the postcode's
	 * area, else the default. */
	r = exec(conn,
	         "WITH p AS (SELECT * FROM contact_form_person($1)),"
	         " a AS (SELECT centre_id FROM centre_area"
	         "  WHERE nullif($2, '')::int BETWEEN postcode_from AND postcode_to LIMIT 1),"
	         " d AS (SELECT id AS centre_id FROM centre WHERE code = $3)"
	         " SELECT c.id, c.code, coalesce((SELECT person_id::text FROM p), ''),"
	         "  CASE WHEN (SELECT centre_id FROM p) IS NOT NULL THEN 'person'"
	         "   WHEN EXISTS (SELECT 1 FROM a) THEN 'postcode' ELSE 'default' END"
	         " FROM centre c WHERE c.id = coalesce((SELECT centre_id FROM p),"
	         "  (SELECT centre_id FROM a), (SELECT centre_id FROM d))",
	         3, find);
	if (!ok(r)) {
		rc = failed(conn, r, "contact form: finding the centre", cause);
		goto fail;
	}
	if (PQntuples(r) != 1) {
		db_cache_cause(cause,
		               "contact form: no centre for it (no person with its INSZ, no area "
		               "with its postcode %s, and default_centre %s is %s)",
		               *find[1] ? find[1] : "(none)", *find[2] ? find[2] : "(none)",
		               *find[2] ? "not a centre" : "not set");
		rc = RC_NOTFOUND;
		goto fail;
	}
	copy(centre_id, sizeof centre_id, PQgetvalue(r, 0, 0));
	copy(out->centre_code, sizeof out->centre_code, PQgetvalue(r, 0, 1));
	copy(person_id, sizeof person_id, PQgetvalue(r, 0, 2));
	copy(how, sizeof how, PQgetvalue(r, 0, 3));
	out->by = !strcmp(how, "person")     ? "person"
	          : !strcmp(how, "postcode") ? "postcode"
	                                     : "default";
	PQclear(r);

	/* Written as that centre, as a sync request would (row-level security). */
	ins[0] = centre_id;
	ins[1] = data;
	ins[2] = person_id;
	r = exec(conn, "SELECT set_config('handesk.centre_id', $1, true)", 1, ins);
	if (!ok(r)) {
		rc = failed(conn, r, "contact form: acting for its centre", cause);
		goto fail;
	}
	PQclear(r);
	r = exec(conn,
	         "INSERT INTO record (entity, id, centre_id, version, updated_at, updated_by,"
	         "  deleted, data)"
	         " VALUES ('contact_form', gen_random_uuid(), $1::uuid, nextval('record_version'),"
	         "  date_trunc('milliseconds', now()), '', false,"
	         "  $2::jsonb || jsonb_build_object('received_at', " TS_MS(
	             "now()") ","
	                      "  'person_id', $3::text, 'status', 'new'))"
	                      " RETURNING id, data ->> 'received_at'",
	         3, ins);
	if (!ok(r) || PQntuples(r) != 1) {
		rc = failed(conn, r, "contact form: storing it", cause);
		goto fail;
	}
	copy(out->id, sizeof out->id, PQgetvalue(r, 0, 0));
	copy(out->received_at, sizeof out->received_at, PQgetvalue(r, 0, 1));
	PQclear(r);
	r = PQexec(conn, "COMMIT");
	if (!ok(r)) {
		rc = failed(conn, r, "contact form: committing", cause);
		goto fail;
	}
	PQclear(r);
	return RC_OK;
fail:
	PQclear(r);
	rollback(conn);
	return rc;
}
