/* cachetool.c: what the sync integration tests do to a cache without the
 * curses screens: register and edit persons through the same session API
 * as ui/intake.c and ui/card.c (role checks, audit, outbox in one
 * transaction), and dump every synced table in one canonical text form so
 * that two caches, or a cache and the central store, can be compared with
 * cmp(1).  Not installed.
 *
 *   cachetool DB LOGIN add-person FAMILY GIVEN [INSZ]   prints the new id
 *   cachetool DB LOGIN set-person ID FIELD VALUE       edits one field
 *   cachetool DB dump [TABLE...]                       every synced row
 *   cachetool DB rows                                  entity id version deleted
 *   cachetool DB sql QUERY                             first column of each row
 */
#include "autoconf.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/person.h"
#include "src/session.h"

static const char *const synced[] = {
    "centre", "staff",          "person",       "application", "application_document",
    "audit",  "person_history", "contact_form", "conflict",
};

static const struct {
	const char *name;
	enum person_field field;
	size_t offset, size;
} fields[] = {
#define F(n, e)                                                                                    \
	{                                                                                          \
#n, e, offsetof(struct person, n), sizeof(((struct person *)0)->n)                 \
	}
    F(insz, PERSON_F_INSZ),
    F(family_name, PERSON_F_FAMILY_NAME),
    F(given_name, PERSON_F_GIVEN_NAME),
    F(birth_date, PERSON_F_BIRTH_DATE),
    F(street, PERSON_F_STREET),
    F(postcode, PERSON_F_POSTCODE),
    F(municipality, PERSON_F_MUNICIPALITY),
    F(phone, PERSON_F_PHONE),
    F(email, PERSON_F_EMAIL),
    F(contact_name, PERSON_F_CONTACT_NAME),
    F(notes, PERSON_F_NOTES),
#undef F
};

static int fail(const char *what, char *cause)
{
	fprintf(stderr, "cachetool: %s: %s\n", what, cause ? cause : "failed");
	free(cause);
	return 1;
}

static int set_field(struct person *p, const char *name, const char *value)
{
	const char *msg = NULL;

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		snprintf((char *)p + fields[i].offset, fields[i].size, "%s", value);
		if (!person_check_field(p, fields[i].field, &msg)) {
			fprintf(stderr, "cachetool: %s: %s\n", name, msg);
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "cachetool: unknown person field %s\n", name);
	return 1;
}

static int session_command(const char *db, const char *login, int argc, char **argv)
{
	struct config cfg = {0};
	struct session s = {0};
	struct person p = {0};
	enum person_field field = PERSON_F_NONE;
	char *cause = NULL;
	int status = 1;

	if (session_open(&s, &cfg, db, login, &cause))
		return fail("open", cause);
	if (strcmp(argv[0], "add-person") == 0 && (argc == 3 || argc == 4)) {
		/* Intake wants a birth date: the INSZ's, or a fixed one. */
		if (set_field(&p, "family_name", argv[1]) || set_field(&p, "given_name", argv[2]) ||
		    (argc == 4 && set_field(&p, "insz", argv[3])) ||
		    (argc == 3 && set_field(&p, "birth_date", "1970-01-01")))
			goto out;
		snprintf(p.language, sizeof p.language, "nl");
		if (session_intake(&s, &p, NULL, &field, &cause)) {
			status = fail("add-person", cause);
			goto out;
		}
		printf("%s\n", p.meta.id);
		status = 0;
	} else if (strcmp(argv[0], "set-person") == 0 && argc == 4) {
		bool changed;
		if (session_view_person(&s, argv[1], &p, &cause)) {
			status = fail("set-person", cause);
			goto out;
		}
		if (set_field(&p, argv[2], argv[3]))
			goto out;
		if (session_update_person(&s, &p, &field, &changed, &cause)) {
			status = fail("set-person", cause);
			goto out;
		}
		status = 0;
	} else {
		fprintf(stderr, "cachetool: bad command %s\n", argv[0]);
	}
out:
	session_close(&s);
	return status;
}

/* One line per row: table, then every column as name=value in schema
 * order, newlines escaped. */
static int dump_table(sqlite3 *db, const char *table, bool all_columns)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc;

	if (all_columns)
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY id", table);
	else
		snprintf(sql, sizeof sql, "SELECT id, version, deleted FROM \"%s\" ORDER BY id",
		         table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0; /* table not in this schema */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(table, stdout);
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			putchar(' ');
			if (all_columns)
				printf("%s=", sqlite3_column_name(st, i));
			for (; v && *v; v++)
				if (*v == '\n')
					fputs("\\n", stdout);
				else if (*v == '\\')
					fputs("\\\\", stdout);
				else
					putchar(*v);
		}
		putchar('\n');
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : 1;
}

static int db_command(const char *path, int argc, char **argv)
{
	sqlite3 *db;
	int status = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "cachetool: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (strcmp(argv[0], "dump") == 0 || strcmp(argv[0], "rows") == 0) {
		bool all = strcmp(argv[0], "dump") == 0;
		if (argc > 1)
			for (int i = 1; i < argc; i++)
				status |= dump_table(db, argv[i], all);
		else
			for (size_t i = 0; i < sizeof synced / sizeof synced[0]; i++)
				status |= dump_table(db, synced[i], all);
	} else if (strcmp(argv[0], "sql") == 0 && argc == 2) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, argv[1], -1, &st, NULL) != SQLITE_OK) {
			fprintf(stderr, "cachetool: %s\n", sqlite3_errmsg(db));
			status = 1;
		} else {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const unsigned char *v = sqlite3_column_text(st, 0);
				printf("%s\n", v ? (const char *)v : "");
			}
			sqlite3_finalize(st);
		}
	} else {
		fprintf(stderr, "cachetool: bad command %s\n", argv[0]);
		status = 1;
	}
	sqlite3_close(db);
	return status;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && (strcmp(argv[2], "dump") == 0 || strcmp(argv[2], "rows") == 0 ||
	                  strcmp(argv[2], "sql") == 0))
		return db_command(argv[1], argc - 2, argv + 2);
	if (argc >= 4)
		return session_command(argv[1], argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: cachetool DB LOGIN add-person|set-person ... | cachetool DB "
	                "dump|rows|sql ...\n");
	return 2;
}
