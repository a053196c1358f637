/* search.c: person search as you type, over the person_key index.
 *
 * Each person has one key per word start of its folded names: kind '1'
 * keys start at a family-name word ("van den berg jan", "den berg jan",
 * "berg jan", and the joined "vandenberg jan"), kind '2' keys at a given-
 * name word ("jan van den berg").  After the name words comes char(30),
 * the birth date, char(31) and the name words before the start:
 *
 *	1 "den berg jan" \x1e "1970-03-12" \x1f "van"
 *
 * so that a key holds every word of the name and the birth date, and every
 * filter is decided from the index alone.  A query is answered by range
 * scans "key >= prefix AND key < prefix+1" in key order, never by ranking
 * all matches (a one-letter prefix matches 50,000 persons at national
 * scale; its first page is still one short range scan):
 *  1. the whole folded query as the prefix, family-first then given-first:
 *     exact, no filtering ("dupre jean" is a prefix of "dupre jeanne");
 *  2. for several words, a skip scan over the first two words as adjacent
 *     prefixes in either order ("lu dub": each given name "lu..." seeks
 *     "<name> dub"), the other words and the birth year filtering;
 *  3. the range of the longest word, every word filtering.
 * A whole birth date goes through the birth date index instead (a handful
 * of persons per day).  Scans stop at max distinct persons or after
 * SCAN_BUDGET index entries, so a selective filter cannot make a keystroke
 * slow (the price: a bare year behind a very common prefix may miss
 * persons further down the range).  Each key row also carries what a hit
 * shows (INSZ, names, birth date, postcode, municipality: copies of the
 * person row, rewritten by every write of the person), so a name search
 * reads index ranges and nothing else: fetching each hit from person by
 * its UUID would be a random page read per hit, milliseconds per keystroke
 * once the cache file no longer fits in the OS page cache.  The hits are
 * returned in family name, given name order.  An INSZ (digits and
 * separators) is a prefix range on the INSZ index. */
#include "autoconf.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "src/date.h"
#include "src/insz.h"
#include "src/text.h"

/* Change whenever person_keys() makes other keys (or text_fold folds
 * differently), or person_key's columns change: db_search_index_check then
 * rebuilds the index.  2: the display columns of migration 0002. */
#define KEY_FORMAT "3"

#define KIND_FAMILY '1'
#define KIND_GIVEN  '2'
#define SEP_BIRTH   '\x1e'
#define SEP_BEFORE  '\x1f'

#define FOLD_MAX      400  /* a folded name (128 bytes may grow: ß -> ss) */
#define KEY_MAX       1280 /* kind + 2 names + birth date + separators */
#define KEYS_MAX      20   /* keys per person */
#define WORDS_MAX     8    /* words per name, and per query */
#define SCAN_BUDGET   6000 /* index entries read per query, at most */
#define DATE_ONLY_MAX 500

struct words {
	int n;
	const char *w[WORDS_MAX];
	int len[WORDS_MAX];
};

/* Split folded text (single spaces) into words, pointing into s. */
static void split_words(const char *s, struct words *out)
{
	out->n = 0;
	while (*s && out->n < WORDS_MAX) {
		const char *e = strchr(s, ' ');
		int len = e ? (int)(e - s) : (int)strlen(s);
		if (len > 0) {
			out->w[out->n] = s;
			out->len[out->n] = len;
			out->n++;
		}
		if (!e)
			break;
		s = e + 1;
	}
}

struct keybuf {
	char *p;
	size_t len, size;
	bool overflow;
};

static void kb_put(struct keybuf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->size) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void kb_char(struct keybuf *b, char ch)
{
	kb_put(b, &ch, 1);
}

/* Words from..to-1 of w, separated by sep (or nothing if sep is 0). */
static void kb_words(struct keybuf *b, const struct words *w, int from, int to, char sep)
{
	for (int i = from; i < to; i++) {
		if (i > from && sep)
			kb_char(b, sep);
		kb_put(b, w->w[i], w->len[i]);
	}
}

/* One key: kind, lead words of a from `from` (joined by join), the other
 * name's words, birth, the words of a before `from`. */
static void make_key(struct keybuf *b, char kind, const struct words *a, int from, char join,
                     const struct words *other, const char *birth)
{
	b->len = 0;
	b->p[0] = '\0';
	b->overflow = false;
	kb_char(b, kind);
	kb_words(b, a, from, a->n, join);
	if (other->n > 0) {
		kb_char(b, ' ');
		kb_words(b, other, 0, other->n, ' ');
	}
	kb_char(b, SEP_BIRTH);
	kb_put(b, birth, strnlen(birth, 10));
	kb_char(b, SEP_BEFORE);
	kb_words(b, a, 0, from, ' ');
}

/* The keys of a person into keys[], returns how many. */
static int person_keys(const char *family, const char *given, const char *birth,
                       char (*keys)[KEY_MAX])
{
	char ff[FOLD_MAX], gf[FOLD_MAX];
	struct words fw, gw;
	struct keybuf b;
	int n = 0;

	text_fold(family, ff, sizeof ff);
	text_fold(given, gf, sizeof gf);
	split_words(ff, &fw);
	split_words(gf, &gw);
	for (int i = 0; i < fw.n && n < KEYS_MAX; i++) {
		b = (struct keybuf){keys[n], 0, KEY_MAX, false};
		make_key(&b, KIND_FAMILY, &fw, i, ' ', &gw, birth);
		if (!b.overflow)
			n++;
	}
	if (fw.n > 1 && n < KEYS_MAX) { /* "vandenberg" finds "Van den Berg" */
		b = (struct keybuf){keys[n], 0, KEY_MAX, false};
		make_key(&b, KIND_FAMILY, &fw, 0, 0, &gw, birth);
		if (!b.overflow)
			n++;
	}
	for (int i = 0; i < gw.n && n < KEYS_MAX; i++) {
		b = (struct keybuf){keys[n], 0, KEY_MAX, false};
		make_key(&b, KIND_GIVEN, &gw, i, ' ', &fw, birth);
		if (!b.overflow)
			n++;
	}
	return n;
}

/* The person columns a hit shows, and their copies in person_key (and in
 * temp.bulk_key), in the same order: read_hit reads either. */
#define HIT_COLS   "id, insz, family_name, given_name, birth_date, postcode, municipality"
#define KEY_COLS   "person_id, insz, family_name, given_name, birth_date, postcode, municipality"
#define KEY_PARAMS ":id, :insz, :family_name, :given_name, :birth_date, :postcode, :municipality"

/* Where the keys of a bulk load (or of a rebuild) wait to be sorted. */
#define BULK_INSERT "INSERT INTO temp.bulk_key(key, " KEY_COLS ") VALUES (:key, " KEY_PARAMS ")"

/* The hit columns of a row, the first (id or person_id) at column from. */
static void read_hit(sqlite3_stmt *st, int from, struct search_hit *h)
{
	db_cache_column_text(st, from, h->person_id, sizeof h->person_id);
	db_cache_column_text(st, from + 1, h->insz, sizeof h->insz);
	db_cache_column_text(st, from + 2, h->family_name, sizeof h->family_name);
	db_cache_column_text(st, from + 3, h->given_name, sizeof h->given_name);
	db_cache_column_text(st, from + 4, h->birth_date, sizeof h->birth_date);
	db_cache_column_text(st, from + 5, h->postcode, sizeof h->postcode);
	db_cache_column_text(st, from + 6, h->municipality, sizeof h->municipality);
}

/* The indexed fields and tombstone of a stored person; RC_NOTFOUND if
 * there is no such row. */
static enum rc person_row(struct cache *c, const char *id, struct search_hit *h, bool *deleted,
                          char **cause)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	rc =
	    db_cache_stmt(c, "SELECT " HIT_COLS ", deleted FROM person WHERE id = :id", &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":id", id);
	rc = db_cache_step(c, st, &row, cause);
	if (!rc && !row)
		rc = RC_NOTFOUND;
	if (!rc) {
		read_hit(st, 0, h);
		*deleted = sqlite3_column_int(st, 7) != 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Run sql once per key of the person: parameters :key and :id, and with
 * display the other KEY_PARAMS. */
static enum rc keys_exec(struct cache *c, const char *sql, const struct search_hit *h, bool display,
                         char **cause)
{
	char(*keys)[KEY_MAX];
	sqlite3_stmt *st;
	int n;
	enum rc rc = RC_OK;

	keys = malloc(KEYS_MAX * sizeof *keys);
	if (!keys) {
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	n = person_keys(h->family_name, h->given_name, h->birth_date, keys);
	for (int i = 0; i < n && !rc; i++) {
		rc = db_cache_stmt(c, sql, &st, cause);
		if (rc)
			break;
		db_cache_bind_text(c, st, ":key", keys[i]);
		db_cache_bind_text(c, st, ":id", h->person_id);
		if (display) {
			db_cache_bind_text(c, st, ":insz", h->insz);
			db_cache_bind_text(c, st, ":family_name", h->family_name);
			db_cache_bind_text(c, st, ":given_name", h->given_name);
			db_cache_bind_text(c, st, ":birth_date", h->birth_date);
			db_cache_bind_text(c, st, ":postcode", h->postcode);
			db_cache_bind_text(c, st, ":municipality", h->municipality);
		}
		rc = db_cache_step(c, st, NULL, cause);
		sqlite3_reset(st);
	}
	free(keys);
	return rc;
}

enum rc db_search_unindex(struct cache *c, const char *person_id, char **cause)
{
	struct search_hit h;
	bool deleted;
	enum rc rc;

	rc = person_row(c, person_id, &h, &deleted, cause);
	if (rc == RC_NOTFOUND)
		return RC_OK;
	if (rc)
		return rc;
	return keys_exec(c, "DELETE FROM person_key WHERE key = :key AND person_id = :id", &h,
	                 false, cause);
}

enum rc db_search_index(struct cache *c, const char *person_id, char **cause)
{
	struct search_hit h;
	bool deleted;
	enum rc rc;

	rc = person_row(c, person_id, &h, &deleted, cause);
	if (rc == RC_NOTFOUND)
		return RC_OK;
	if (rc || deleted)
		return rc;
	/* OR REPLACE: should a row of the key be left over, its copied
	 * fields still become the person's current ones. */
	return keys_exec(c,
	                 db_cache_in_bulk(c) ? BULK_INSERT
	                                     : "INSERT OR REPLACE INTO person_key(key, " KEY_COLS
	                                       ") VALUES (:key, " KEY_PARAMS ")",
	                 &h, true, cause);
}

enum rc db_search_bulk_begin(struct cache *c, char **cause)
{
	return db_cache_exec(c,
	                     "CREATE TEMP TABLE IF NOT EXISTS bulk_key("
	                     "key TEXT NOT NULL, " KEY_COLS ")",
	                     cause);
}

enum rc db_search_bulk_end(struct cache *c, char **cause)
{
	/* In key order, the rows are appended to the b-tree rather than
	 * scattered over it. */
	return db_cache_exec(c,
	                     "INSERT OR IGNORE INTO person_key(key, " KEY_COLS ") "
	                     "SELECT key, " KEY_COLS " FROM temp.bulk_key ORDER BY key, person_id; "
	                     "DROP TABLE temp.bulk_key",
	                     cause);
}

/* The keys of every living person after id after ("": all), collected
 * and sorted into the index (db_search_rebuild after emptying it). */
static enum rc rebuild_after(struct cache *c, const char *after, char **cause)
{
	sqlite3_stmt *st;
	bool row;
	enum rc rc;

	rc = db_search_bulk_begin(c, cause);
	if (rc)
		return rc;
	/* As a bulk load does: the keys of a person are far apart in the
	 * index, so they are collected and go in sorted. */
	rc = db_cache_stmt(c, "SELECT " HIT_COLS " FROM person WHERE deleted = 0 AND id > :after",
	                   &st, cause);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":after", after ? after : "");
	for (;;) {
		struct search_hit h;
		rc = db_cache_step(c, st, &row, cause);
		if (rc || !row)
			break;
		read_hit(st, 0, &h);
		rc = keys_exec(c, BULK_INSERT, &h, true, cause);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (!rc)
		rc = db_search_bulk_end(c, cause);
	return rc;
}

enum rc db_search_rebuild(struct cache *c, char **cause)
{
	sqlite3 *db = db_cache_handle(c);
	sqlite3_stmt *st;
	long long size = 0; /* PRAGMA cache_size: pages, or -KiB */
	char sql[64];
	enum rc rc;

	/* The sort of the keys takes as much memory as the page cache may:
	 * a small one keeps the memory flat, at a few more merge passes. */
	if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		size = (long long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_exec(db, "PRAGMA cache_size = -4096", NULL, NULL, NULL);
	rc = db_cache_exec(c, "DELETE FROM person_key", cause);
	if (!rc)
		rc = rebuild_after(c, "", cause);
	if (size) {
		snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", size);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return rc;
}

enum rc db_search_index_range(struct cache *c, const char *after, int max, char *next, bool *done,
                              char **cause)
{
	sqlite3_stmt *st;
	struct search_hit *v;
	int n = 0, cap = max > 0 ? max : 1024;
	bool row;
	enum rc rc;

	*done = true;
	next[0] = '\0';
	if (max < 0) /* all that are left: sorted in, as a rebuild does */
		return rebuild_after(c, after, cause);
	rc = db_cache_stmt(c,
	                   "SELECT " HIT_COLS " FROM person WHERE id > :after ORDER BY id "
	                   "LIMIT :max",
	                   &st, cause);
	if (rc)
		return rc;
	v = malloc((size_t)cap * sizeof *v);
	if (!v) {
		sqlite3_reset(st);
		db_cache_cause(cause, "out of memory");
		return RC_NOMEM;
	}
	db_cache_bind_text(c, st, ":after", after ? after : "");
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":max"), max);
	/* The rows first, then their keys: no statement over person stays
	 * open while the index is written. */
	while (n < cap && !(rc = db_cache_step(c, st, &row, cause)) && row)
		read_hit(st, 0, &v[n++]);
	sqlite3_reset(st);
	for (int i = 0; i < n && !rc; i++)
		rc = db_search_index(c, v[i].person_id, cause);
	if (!rc && n > 0) {
		snprintf(next, 37, "%s", v[n - 1].person_id);
		*done = n < max;
	}
	free(v);
	return rc;
}

enum rc db_search_index_check(struct cache *c, char **cause)
{
	char have[16] = "";
	enum rc rc;

	if (db_cache_get_setting(c, "search_key_format", have, sizeof have) == RC_OK &&
	    strcmp(have, KEY_FORMAT) == 0)
		return RC_OK;
	rc = db_cache_begin(c, cause);
	if (rc)
		return rc;
	have[0] = '\0';
	if (db_cache_get_setting(c, "search_key_format", have, sizeof have) == RC_OK &&
	    strcmp(have, KEY_FORMAT) == 0)
		goto out; /* another process rebuilt it meanwhile */
	rc = db_search_rebuild(c, cause);
	if (rc)
		goto out;
	rc = db_cache_set_setting(c, "search_key_format", KEY_FORMAT);
	if (rc)
		db_cache_cause(cause, "cannot record the search index format");
out:
	if (rc)
		db_cache_rollback(c);
	else
		rc = db_cache_commit(c, cause);
	return rc;
}

/* ---- the search ---- */

struct search {
	struct cache *c;
	char fold[FOLD_MAX];     /* the folded name words of the query, ' '-joined */
	struct words q;          /* the query's name words, pointing into fold */
	char date[11];           /* birth date filter "YYYY-MM-DD", or "" */
	char year[5];            /* birth year filter, or "" */
	struct search_hit *hits; /* persons found, in order */
	int n, max;
	int budget; /* index entries still allowed to be read */
};

static bool has_word_prefix(const char *s, const char *end, const char *w, int len)
{
	while (s < end) {
		const char *e = memchr(s, ' ', (size_t)(end - s));
		if (!e)
			e = end;
		if (e - s >= len && memcmp(s, w, (size_t)len) == 0)
			return true;
		s = e + 1;
	}
	return false;
}

/* Does an index key (after its kind byte) pass the query's filters? */
static bool key_passes(const struct search *s, const char *key, bool names)
{
	const char *birth = strchr(key, SEP_BIRTH), *before, *end;

	if (!birth)
		return false;
	before = strchr(birth, SEP_BEFORE);
	if (!before)
		return false;
	birth++;
	if (s->date[0] && (before - birth != 10 || memcmp(birth, s->date, 10) != 0))
		return false;
	if (s->year[0] && (before - birth != 10 || memcmp(birth, s->year, 4) != 0))
		return false;
	if (!names)
		return true;
	end = before + 1 + strlen(before + 1);
	for (int i = 0; i < s->q.n; i++)
		if (!has_word_prefix(key, birth - 1, s->q.w[i], s->q.len[i]) &&
		    !has_word_prefix(before + 1, end, s->q.w[i], s->q.len[i]))
			return false;
	return true;
}

/* The person of a person_key row (its KEY_COLS from column 1) as a hit,
 * unless already found through another of its keys. */
static void add_hit(struct search *s, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 1);

	if (!id)
		return;
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->hits[i].person_id, id) == 0)
			return;
	read_hit(st, 1, &s->hits[s->n++]);
}

/* Scan the keys starting with prefix, in key order, adding the persons
 * whose keys pass the filters (names: also the query words).  The rows
 * carry the hits: nothing is read from person. */
static enum rc scan(struct search *s, const char *prefix, bool names)
{
	char hi[KEY_MAX];
	size_t len = strlen(prefix);
	sqlite3_stmt *st;
	bool row, filtered = names || s->date[0] || s->year[0];
	enum rc rc;

	if (s->n >= s->max || s->budget <= 0 || len >= sizeof hi)
		return RC_OK;
	/* The upper bound: the prefix with its last byte incremented (keys
	 * start with a kind byte, so there is always one below 0xff). */
	memcpy(hi, prefix, len + 1);
	while (len > 0 && (unsigned char)hi[len - 1] == 0xff)
		hi[--len] = '\0';
	if (len == 0)
		return RC_OK;
	hi[len - 1] = (char)((unsigned char)hi[len - 1] + 1);

	rc = db_cache_stmt(s->c,
	                   "SELECT key, " KEY_COLS " FROM person_key "
	                   "WHERE key >= :lo AND key < :hi ORDER BY key LIMIT :lim",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(s->c, st, ":lo", prefix);
	db_cache_bind_text(s->c, st, ":hi", hi);
	db_cache_bind_int(s->c, st, ":lim",
	                  filtered                 ? s->budget
	                  : s->budget < 4 * s->max ? s->budget
	                                           : 4 * s->max);
	while (s->n < s->max && s->budget > 0) {
		rc = db_cache_step(s->c, st, &row, NULL);
		if (rc || !row)
			break;
		s->budget--;
		if (!filtered || key_passes(s, (const char *)sqlite3_column_text(st, 0) + 1, names))
			add_hit(s, st);
	}
	sqlite3_reset(st);
	return rc;
}

/* Two adjacent words, each a prefix: keys of kind whose first word starts
 * with a and whose next word starts with b ("lu dub" -> "luc dubois").
 * A skip scan: seek the next distinct first word W >= a..., scan the keys
 * starting with "W b", then jump past every key of W.  The distinct first
 * words of a prefix are few, so this is a handful of seeks where a plain
 * scan of a's range could read tens of thousands of keys. */
static enum rc skip_scan(struct search *s, char kind, const char *a, int alen, const char *b,
                         int blen)
{
	char lo[KEY_MAX], hi[KEY_MAX], sub[KEY_MAX];
	sqlite3_stmt *st;
	bool row;
	int len;
	enum rc rc = RC_OK;

	if (alen + blen + 4 >= KEY_MAX)
		return RC_OK;
	len = snprintf(hi, sizeof hi, "%c%.*s", kind, alen, a);
	hi[len - 1] = (char)((unsigned char)hi[len - 1] + 1); /* a's range ends here */
	snprintf(lo, sizeof lo, "%c%.*s", kind, alen, a);
	while (!rc && s->n < s->max && s->budget > 0) {
		const char *key, *end;
		int wlen;
		rc = db_cache_stmt(s->c,
		                   "SELECT key FROM person_key WHERE key >= :lo AND key < :hi "
		                   "ORDER BY key LIMIT 1",
		                   &st, NULL);
		if (rc)
			break;
		db_cache_bind_text(s->c, st, ":lo", lo);
		db_cache_bind_text(s->c, st, ":hi", hi);
		rc = db_cache_step(s->c, st, &row, NULL);
		s->budget--;
		if (rc || !row) {
			sqlite3_reset(st);
			break;
		}
		key = (const char *)sqlite3_column_text(st, 0) + 1;
		end = key + strcspn(key, " \x1e");
		wlen = (int)(end - key);
		if (wlen + blen + 4 >= KEY_MAX) {
			sqlite3_reset(st);
			break;
		}
		/* Past every key whose first word is W: those go on with ' ' or
		 * char(30), both below '!'. */
		snprintf(lo, sizeof lo, "%c%.*s!", kind, wlen, key);
		if (*end == ' ')
			snprintf(sub, sizeof sub, "%c%.*s %.*s", kind, wlen, key, blen, b);
		else
			sub[0] = '\0'; /* a one-word name: nothing follows */
		sqlite3_reset(st);
		if (sub[0])
			rc = scan(s, sub, true);
	}
	return rc;
}

static bool is_year(const char *t, char out[5])
{
	if (strlen(t) != 4 || !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) ||
	    !isdigit((unsigned char)t[2]) || !isdigit((unsigned char)t[3]))
		return false;
	if (!(memcmp(t, "19", 2) == 0 || memcmp(t, "20", 2) == 0))
		return false;
	memcpy(out, t, 5);
	return true;
}

/* Digits and separators only: a date or an INSZ being typed. */
static bool is_numeric(const char *t)
{
	for (; *t; t++)
		if (!isdigit((unsigned char)*t) && !strchr("./-", *t))
			return false;
	return true;
}

/* Split the query into name words and birth filters. */
static void parse_query(struct search *s, const char *query)
{
	char tok[256], folded[FOLD_MAX];
	struct date d;
	size_t used = 0;

	while (*query) {
		size_t len;
		while (*query && isspace((unsigned char)*query))
			query++;
		len = strcspn(query, " \t\n\r\f\v");
		if (len == 0)
			break;
		snprintf(tok, sizeof tok, "%.*s", (int)len, query);
		query += len;
		if (date_parse(tok, &d))
			date_format_iso(d, s->date);
		else if (is_year(tok, s->year))
			;
		else if (is_numeric(tok))
			; /* a date or number still being typed */
		else if (text_fold(tok, folded, sizeof folded) > 0 &&
		         used + strlen(folded) + 2 < sizeof s->fold) {
			if (used)
				s->fold[used++] = ' ';
			memcpy(s->fold + used, folded, strlen(folded) + 1);
			used += strlen(folded);
		}
	}
	s->fold[used] = '\0';
	split_words(s->fold, &s->q);
}

struct sorted_hit {
	char key[2 * FOLD_MAX + 16];
	struct search_hit hit;
};

static int compare_hits(const void *a, const void *b)
{
	const struct sorted_hit *x = a, *y = b;
	int d = strcmp(x->key, y->key);

	return d ? d : strcmp(x->hit.person_id, y->hit.person_id);
}

/* Order hits by folded family name, given name, birth date. */
static enum rc sort_hits(struct search_hit *hits, int n)
{
	struct sorted_hit *v;
	char ff[FOLD_MAX], gf[FOLD_MAX];

	if (n < 2)
		return RC_OK;
	v = malloc((size_t)n * sizeof *v);
	if (!v)
		return RC_NOMEM;
	for (int i = 0; i < n; i++) {
		v[i].hit = hits[i];
		text_fold(hits[i].family_name, ff, sizeof ff);
		text_fold(hits[i].given_name, gf, sizeof gf);
		snprintf(v[i].key, sizeof v[i].key, "%s\x1f%s\x1f%s", ff, gf, hits[i].birth_date);
	}
	qsort(v, (size_t)n, sizeof *v, compare_hits);
	for (int i = 0; i < n; i++)
		hits[i] = v[i].hit;
	free(v);
	return RC_OK;
}

/* Rows of a statement (already bound) into hits, at most max. */
static enum rc collect_rows(struct cache *c, sqlite3_stmt *st, struct search_hit *hits, int max,
                            int *n)
{
	bool row;
	enum rc rc = RC_OK;

	while (*n < max) {
		rc = db_cache_step(c, st, &row, NULL);
		if (rc || !row)
			break;
		read_hit(st, 0, &hits[(*n)++]);
	}
	sqlite3_reset(st);
	return rc;
}

static enum rc search_insz(struct cache *c, const char *query, struct search_hit *hits, int max,
                           int *n)
{
	char lo[12], hi[13];
	sqlite3_stmt *st;
	int len;
	enum rc rc;

	len = insz_digits(query, lo);
	if (len == 0)
		return RC_OK;
	memcpy(hi, lo, (size_t)len + 1);
	hi[len - 1]++; /* a digit: '9' + 1 is ':' and still above every digit */
	rc = db_cache_stmt(c,
	                   "SELECT " HIT_COLS " FROM person WHERE insz >= :lo AND insz < :hi "
	                   "AND insz <> '' AND deleted = 0 ORDER BY insz LIMIT :max",
	                   &st, NULL);
	if (rc)
		return rc;
	db_cache_bind_text(c, st, ":lo", lo);
	db_cache_bind_text(c, st, ":hi", hi);
	db_cache_bind_int(c, st, ":max", max);
	return collect_rows(c, st, hits, max, n);
}

/* Does a person (a hit) match the name words of the query? */
static bool hit_matches(const struct search *s, const struct search_hit *h)
{
	char(*keys)[KEY_MAX] = malloc(KEYS_MAX * sizeof *keys);
	bool match = false;
	int n;

	if (!keys)
		return false;
	n = person_keys(h->family_name, h->given_name, h->birth_date, keys);
	for (int i = 0; i < n && !match; i++)
		match = key_passes(s, keys[i] + 1, true);
	free(keys);
	return match;
}

/* The persons born on date (a handful per day, through the birth date
 * index), with the query's name words if s has any, in name order. */
static enum rc search_birth(struct cache *c, const struct search *s, const char *date,
                            struct search_hit *hits, int max, int *n)
{
	struct search_hit *all;
	sqlite3_stmt *st;
	int cap = max > DATE_ONLY_MAX ? max : DATE_ONLY_MAX, got = 0, kept = 0;
	enum rc rc;

	all = malloc((size_t)cap * sizeof *all);
	if (!all)
		return RC_NOMEM;
	rc = db_cache_stmt(c,
	                   "SELECT " HIT_COLS " FROM person WHERE birth_date = :d "
	                   "AND birth_date <> '' AND deleted = 0 LIMIT :max",
	                   &st, NULL);
	if (!rc) {
		db_cache_bind_text(c, st, ":d", date);
		db_cache_bind_int(c, st, ":max", cap);
		rc = collect_rows(c, st, all, cap, &got);
	}
	for (int i = 0; !rc && i < got; i++)
		if (!s || s->q.n == 0 || hit_matches(s, &all[i]))
			all[kept++] = all[i];
	if (!rc)
		rc = sort_hits(all, kept);
	if (!rc) {
		*n = kept < max ? kept : max;
		memcpy(hits, all, (size_t)*n * sizeof *hits);
	}
	free(all);
	return rc;
}

/* The hits go straight into s->hits, s->n of them. */
static enum rc search_names(struct search *s)
{
	char prefix[FOLD_MAX + 2];
	int longest = 0;
	enum rc rc;

	/* The whole query as a prefix: family first, then given first. */
	snprintf(prefix, sizeof prefix, "%c%s", KIND_FAMILY, s->fold);
	rc = scan(s, prefix, false);
	if (rc)
		return rc;
	snprintf(prefix, sizeof prefix, "%c%s", KIND_GIVEN, s->fold);
	rc = scan(s, prefix, false);
	if (rc)
		return rc;
	/* Several words: the first two as adjacent prefixes, in either order
	 * and either kind; the rest and the birth date filter. */
	if (s->q.n > 1) {
		for (int order = 0; order < 2 && !rc; order++) {
			int x = order, y = 1 - order;
			for (int k = 0; k < 2 && !rc; k++)
				rc = skip_scan(s, k ? KIND_GIVEN : KIND_FAMILY, s->q.w[x],
				               s->q.len[x], s->q.w[y], s->q.len[y]);
		}
		if (rc)
			return rc;
	}
	/* Several words: the rarest-looking (longest) word's range, filtered. */
	if (s->q.n > 1) {
		for (int i = 1; i < s->q.n; i++)
			if (s->q.len[i] > s->q.len[longest])
				longest = i;
		snprintf(prefix, sizeof prefix, "%c%.*s", KIND_FAMILY, s->q.len[longest],
		         s->q.w[longest]);
		rc = scan(s, prefix, true);
		if (rc)
			return rc;
		prefix[0] = KIND_GIVEN;
		rc = scan(s, prefix, true);
	}
	return rc;
}

enum rc db_search_persons(struct cache *c, const char *query, struct search_hit *hits, int max,
                          int *n)
{
	struct search *s = NULL;
	char trimmed[256];
	struct date d;
	bool read_tx = false;
	enum rc rc = RC_OK;

	*n = 0;
	if (!query || max <= 0)
		return RC_OK;
	snprintf(trimmed, sizeof trimmed, "%s", query);
	text_trim(trimmed);
	if (!trimmed[0])
		return RC_OK;

	/* One snapshot for all the scans of a query. */
	rc = db_cache_begin_read(c);
	if (rc)
		return rc;
	read_tx = true;

	if (date_parse(trimmed, &d)) {
		char iso[11];
		date_format_iso(d, iso);
		rc = search_birth(c, NULL, iso, hits, max, n);
		goto out;
	}
	/* Digits and separators alone are an INSZ being typed, even "1970":
	 * a bare year only filters names. */
	if (insz_looks_like(trimmed)) {
		rc = search_insz(c, trimmed, hits, max, n);
		if (!rc)
			rc = sort_hits(hits, *n);
		goto out;
	}

	s = calloc(1, sizeof *s);
	if (!s) {
		rc = RC_NOMEM;
		goto out;
	}
	s->c = c;
	s->hits = hits;
	s->max = max;
	s->budget = SCAN_BUDGET;
	parse_query(s, trimmed);
	/* A whole birth date is the most selective part of any query. */
	if (s->date[0] || s->q.n == 0) {
		if (s->date[0])
			rc = search_birth(c, s, s->date, hits, max, n);
		goto out;
	}
	rc = search_names(s);
	*n = s->n;
	if (!rc)
		rc = sort_hits(hits, *n);
out:
	free(s);
	if (read_tx)
		db_cache_end_read(c);
	if (rc)
		*n = 0;
	return rc;
}
