-- 0001-init.sql: the first schema of the local cache (centres, staff,
-- persons, applications, their documents, the audit register, the outbox,
-- the person search index and local settings).
--
-- Conventions (design.md section 4).  Every synced table starts with the
-- same six sync columns:
--   id          UUID (text, lower case), born where the row is born
--   centre_id   the centre the row belongs to (scoping)
--   version     assigned by the central service; 0 = never synced
--   updated_at  UTC, ISO 8601 with milliseconds ('2026-01-31T09:15:02.123Z')
--   updated_by  id of the staff member who made the change ('' for none)
--   deleted     tombstone: 1 = deleted; rows are never physically deleted
-- Unknown text values are stored as '' (never NULL), dates as 'YYYY-MM-DD'.
-- Enumerations are stored as their stable text codes (the *_code/*_parse
-- functions of src/), never as the C enum numbers.
-- Applied in one transaction by db/cache.c, which also sets user_version.

-- Marks the file as a handesk cache ('HAND'), so that handesk refuses to
-- migrate an SQLite database of another program.
PRAGMA application_id = 1212239428;

-- A recognition centre.
CREATE TABLE centre (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- equal to id
	version INTEGER NOT NULL DEFAULT 0,        -- central version, 0 = not synced
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	code TEXT NOT NULL,                        -- short code: 'BRU', 'CHA', ...
	name TEXT NOT NULL,                        -- display name
	language TEXT NOT NULL DEFAULT ''          -- working language: nl, fr, de
);

-- A staff member, tied to an OS login (src/session.c finds it by login).
CREATE TABLE staff (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre the staff member works for
	version INTEGER NOT NULL DEFAULT 0,        -- central version, 0 = not synced
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id of who made the change
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	login TEXT NOT NULL,                       -- OS user name (not unique across centres)
	family_name TEXT NOT NULL,                 -- UTF-8
	given_name TEXT NOT NULL DEFAULT '',       -- UTF-8
	role TEXT NOT NULL,                        -- role_code(): 'reception', 'doctor', ...
	discipline TEXT NOT NULL DEFAULT '',       -- 'doctor', 'psychologist', 'nurse', ... or ''
	languages TEXT NOT NULL DEFAULT '',        -- languages spoken, 'nl,fr'
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)) -- 0 = may no longer log in
);
CREATE INDEX staff_login ON staff(login);

-- A person known to a centre: applicant or visitor.
CREATE TABLE person (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre that registered the person
	version INTEGER NOT NULL DEFAULT 0,        -- central version, 0 = not synced
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601; also the local conflict check
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	insz TEXT NOT NULL DEFAULT '',             -- national register / bis number, 11 digits; '' not yet known
	family_name TEXT NOT NULL,                 -- UTF-8, as typed
	given_name TEXT NOT NULL DEFAULT '',       -- UTF-8, as typed
	birth_date TEXT NOT NULL DEFAULT '',       -- YYYY-MM-DD (Europe/Brussels calendar date), '' unknown
	sex TEXT NOT NULL DEFAULT '',              -- 'm', 'f', '' unknown
	language TEXT NOT NULL DEFAULT '',         -- preferred language: nl, fr, de
	nationality TEXT NOT NULL DEFAULT '',      -- ISO 3166-1 alpha-2 ('BE'), '' unknown
	residence TEXT NOT NULL DEFAULT '',        -- person_residence_code(): 'population', 'foreigners', 'other'; '' unknown
	street TEXT NOT NULL DEFAULT '',           -- street and number
	postcode TEXT NOT NULL DEFAULT '',         -- Belgian postcode, 4 digits
	municipality TEXT NOT NULL DEFAULT '',     -- municipality name
	phone TEXT NOT NULL DEFAULT '',            -- normalised +32... form
	email TEXT NOT NULL DEFAULT '',            -- e-mail address
	contact_name TEXT NOT NULL DEFAULT '',     -- representative or contact person
	contact_phone TEXT NOT NULL DEFAULT '',    -- their phone, +32... form
	contact_relation TEXT NOT NULL DEFAULT '', -- 'mother', 'guardian', 'social worker', ...
	notes TEXT NOT NULL DEFAULT ''             -- free administrative notes (no medical content)
);
-- One living person per INSZ; persons without a known INSZ are many.
CREATE UNIQUE INDEX person_insz ON person(insz) WHERE insz <> '' AND deleted = 0;
-- Search by birth date alone (a date typed in the search field).
CREATE INDEX person_birth ON person(birth_date) WHERE birth_date <> '' AND deleted = 0;

-- An application for recognition or an allowance.
CREATE TABLE application (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre handling the application
	version INTEGER NOT NULL DEFAULT 0,        -- central version, 0 = not synced
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	person_id TEXT NOT NULL                    -- the applicant
		REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
	kind TEXT NOT NULL,                        -- application_kind_code(): 'ivt_it', 'parking', ...
	procedure TEXT NOT NULL,                   -- application_procedure_code(): 'new', 'revision_request', ...
	received_on TEXT NOT NULL,                 -- YYYY-MM-DD the application was received
	problem TEXT NOT NULL DEFAULT '',          -- application_problem_code(): primary problem (medical!)
	status TEXT NOT NULL,                      -- application_status_code(): 'received', 'incomplete', ...
	notes TEXT NOT NULL DEFAULT ''             -- free administrative notes
);
CREATE INDEX application_person ON application(person_id);

-- One line of an application's document checklist.
CREATE TABLE application_document (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre of the application
	version INTEGER NOT NULL DEFAULT 0,        -- central version, 0 = not synced
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	application_id TEXT NOT NULL               -- the application
		REFERENCES application(id) DEFERRABLE INITIALLY DEFERRED,
	code TEXT NOT NULL,                        -- stable document code, 'medical_report', ...
	required INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)), -- 1 = the kind needs it
	received_on TEXT NOT NULL DEFAULT ''       -- YYYY-MM-DD received, '' while missing
);
CREATE INDEX application_document_application ON application_document(application_id);

-- The audit register: every view and change of a dossier.  Append-only:
-- the triggers below refuse UPDATE and DELETE, whoever asks.
CREATE TABLE audit (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID
	centre_id TEXT NOT NULL,                   -- centre where it happened
	version INTEGER NOT NULL DEFAULT 0,        -- central version as received, 0 = born here
	updated_at TEXT NOT NULL,                  -- same as at (rows never change)
	updated_by TEXT NOT NULL DEFAULT '',       -- same as staff_id
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted = 0), -- audit entries are never deleted
	at TEXT NOT NULL,                          -- UTC ISO 8601 when it happened
	staff_id TEXT NOT NULL,                    -- who
	role TEXT NOT NULL,                        -- role_code() of who, at that time
	person_id TEXT NOT NULL,                   -- which person's dossier
	action TEXT NOT NULL,                      -- 'view', 'create', 'update', 'insz_change', ...
	detail TEXT NOT NULL DEFAULT ''            -- what: the changed fields, 'phone, email', ...
);
CREATE INDEX audit_person ON audit(person_id, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;

-- Local changes waiting to be sent to the central service, oldest first.
-- Written in the same transaction as the change itself (db/outbox.c).
CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,     -- order of the changes; never reused
	entity TEXT NOT NULL,                      -- table: 'person', 'application', ...
	row_id TEXT NOT NULL,                      -- id of the changed row
	op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')), -- what happened
	base_version INTEGER NOT NULL,             -- the row's version the change was based on
	payload TEXT NOT NULL,                     -- json_object() of the row after the change
	created_at TEXT NOT NULL                   -- UTC ISO 8601 of the change
);

-- Local only: row counts kept current by triggers, so that the status line
-- does not count 600,000 rows at each start.
CREATE TABLE tally (
	name TEXT PRIMARY KEY NOT NULL,            -- what is counted: 'person' = persons not deleted, 'outbox' = its rows
	n INTEGER NOT NULL                         -- how many
) WITHOUT ROWID;
INSERT INTO tally(name, n) VALUES ('person', 0), ('outbox', 0);
CREATE TRIGGER outbox_tally_insert AFTER INSERT ON outbox
BEGIN
	UPDATE tally SET n = n + 1 WHERE name = 'outbox';
END;
CREATE TRIGGER outbox_tally_delete AFTER DELETE ON outbox
BEGIN
	UPDATE tally SET n = n - 1 WHERE name = 'outbox';
END;
CREATE TRIGGER person_tally_insert AFTER INSERT ON person WHEN NEW.deleted = 0
BEGIN
	UPDATE tally SET n = n + 1 WHERE name = 'person';
END;
CREATE TRIGGER person_tally_update AFTER UPDATE OF deleted ON person
WHEN OLD.deleted <> NEW.deleted
BEGIN
	UPDATE tally SET n = n + CASE WHEN NEW.deleted THEN -1 ELSE 1 END WHERE name = 'person';
END;
CREATE TRIGGER person_tally_delete AFTER DELETE ON person WHEN OLD.deleted = 0
BEGIN
	UPDATE tally SET n = n - 1 WHERE name = 'person';
END;

-- Local only: the person search index (db/search.c).  One row per key; a
-- key is a kind byte ('1' starts at a family-name word, '2' at a given-name
-- word), the folded name words from there (then the other name), char(30),
-- the birth date, char(31), and the name words before the start, so that
-- every filter of a search can be decided from the index alone.
CREATE TABLE person_key (
	key TEXT NOT NULL,                         -- folded search key, see above
	person_id TEXT NOT NULL,                   -- person.id
	PRIMARY KEY (key, person_id)
) WITHOUT ROWID;

-- Local only: settings of this cache (key/value, never synced).
CREATE TABLE setting (
	key TEXT PRIMARY KEY NOT NULL,             -- setting name, 'search_key_format', ...
	value TEXT NOT NULL                        -- its value
) WITHOUT ROWID;
