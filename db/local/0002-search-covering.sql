-- 0002-search-covering.sql: the person search index carries what a search
-- hit shows, so that a search is answered from the index alone.  With the
-- keys only, each hit was then read from person by its UUID: some 25 random
-- page reads per screen of hits, 5-9 ms per new prefix when the cache file
-- is not in the OS page cache (600,000 persons is over 1 GB).  A hit's row
-- now lies next to its key, and a screen of hits is one short range scan.
-- Applied in one transaction by db/cache.c, which also sets user_version.

-- The old rows lack the new columns and are rebuilt anyway: dropping the
-- table and filling a new one in key order costs less than an ADD COLUMN
-- followed by an update of every row.
DROP TABLE person_key;

-- Local only: the person search index (db/search.c).  One row per key; a
-- key is a kind byte ('1' starts at a family-name word, '2' at a given-name
-- word), the folded name words from there (then the other name), char(30),
-- the birth date, char(31), and the name words before the start, so that
-- every filter of a search can be decided from the index alone.  The other
-- columns are copies of the person row for the search result list, kept
-- current by every write of a person (db/person.c); a deleted person has
-- no rows.
CREATE TABLE person_key (
	key TEXT NOT NULL,                         -- folded search key, see above
	person_id TEXT NOT NULL,                   -- person.id
	insz TEXT NOT NULL DEFAULT '',             -- person.insz, as shown in a hit
	family_name TEXT NOT NULL DEFAULT '',      -- person.family_name, as typed (unfolded)
	given_name TEXT NOT NULL DEFAULT '',       -- person.given_name, as typed (unfolded)
	birth_date TEXT NOT NULL DEFAULT '',       -- person.birth_date, YYYY-MM-DD or ''
	postcode TEXT NOT NULL DEFAULT '',         -- person.postcode
	municipality TEXT NOT NULL DEFAULT '',     -- person.municipality
	PRIMARY KEY (key, person_id)
) WITHOUT ROWID;

-- The new table is empty: forget the format of the old keys, so that
-- db_search_index_check (run by db/cache.c right after the migrations)
-- rebuilds the index from the person table.
DELETE FROM setting WHERE key = 'search_key_format';
