-- 0003-person-history.sql: the change history of a person.  The audit
-- register says which fields an edit changed (names only: it is read by
-- quality and the central service without any personal data); this table
-- keeps what they were and what they became, so that a former address,
-- phone number, name or INSZ is never lost.  Written by src/session.c in
-- the same transaction as the change and its audit entry (db/person.c).
-- Applied in one transaction by db/cache.c, which also sets user_version.

-- One edit of a person: every changed field with its old and new value.
-- Append-only like the audit register: the triggers below refuse UPDATE
-- and DELETE, whoever asks.
CREATE TABLE person_history (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre of the person (scoping, as person.centre_id)
	version INTEGER NOT NULL DEFAULT 0,        -- central version as received, 0 = born here
	updated_at TEXT NOT NULL,                  -- same as changed_at (rows never change)
	updated_by TEXT NOT NULL DEFAULT '',       -- same as changed_by
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted = 0), -- history rows are never deleted
	person_id TEXT NOT NULL,                   -- person.id of the changed person
	changed_at TEXT NOT NULL,                  -- UTC ISO 8601 of the change
	changed_by TEXT NOT NULL,                  -- staff id of who made it
	role TEXT NOT NULL,                        -- role_code() of who, at that time
	changes TEXT NOT NULL                      -- 'phone: +32470123456 -> +32471123456; municipality: Leuven -> Heverlee'
);
-- A person's history, newest first (the card).
CREATE INDEX person_history_person ON person_history(person_id, changed_at);
CREATE TRIGGER person_history_no_update BEFORE UPDATE ON person_history
BEGIN
	SELECT RAISE(ABORT, 'person history is append-only');
END;
CREATE TRIGGER person_history_no_delete BEFORE DELETE ON person_history
BEGIN
	SELECT RAISE(ABORT, 'person history is append-only');
END;
