-- 0004-sync.sql: what the sync client (db/sync.c, src/sync.c) keeps in the
-- cache: its state (cursor, pending batch, lease), the value of each row
-- before a local change (the outbox's base, for merging on the service),
-- the two synced kinds born on the service (contact forms and conflict
-- records), the changes the service rejected and the pulled rows that wait
-- for a local change to be sent first.  See handesk-sync(7).
-- Applied in one transaction by db/cache.c, which also sets user_version.

-- Local only: the sync client's state (key/value).  Keys: cache_id (this
-- cache's UUID, the prefix of every change id), cursor (pull cursor, opaque),
-- snapshot_after (snapshot position, opaque), snapshot_done ('1' once the
-- initial sync is complete), pending_batch (the exact body of a push batch
-- sent but not yet answered: resent verbatim after a crash), pending_seq
-- (highest outbox seq that batch covers), last_sync_at (UTC of the last
-- complete cycle), last_error (words, '' none), lease_holder and
-- lease_until (the one sync agent of this cache file and until when, in
-- Unix seconds, it holds the lease).
CREATE TABLE sync_state (
	key TEXT PRIMARY KEY NOT NULL,             -- state name, see above
	value TEXT NOT NULL                        -- its value
) WITHOUT ROWID;

-- The row before the change: JSON of the whole row (sync columns and
-- fields, as the outbox payload), NULL for an insert.  The service merges an
-- update field by field against it.
ALTER TABLE outbox ADD COLUMN base TEXT;       -- json_object of the row before the change; NULL for insert
-- The outbox entries of one row, for coalescing and for rule 9 (a pulled
-- row never overwrites a row with unsent changes).
CREATE INDEX outbox_row ON outbox(entity, row_id, seq);

-- Where the triggers below leave the row as it was before the latest
-- UPDATE of each synced row, until db_outbox_record (same transaction)
-- moves it into the outbox entry's base.  Cleared by db/sync.c.
CREATE TABLE outbox_before (
	entity TEXT NOT NULL,                      -- table: 'person', 'application', ...
	row_id TEXT NOT NULL,                      -- id of the row
	base TEXT NOT NULL,                        -- json_object of the row before the UPDATE
	PRIMARY KEY (entity, row_id)
) WITHOUT ROWID;

CREATE TRIGGER person_before BEFORE UPDATE ON person
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('person', OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'insz', OLD.insz, 'family_name', OLD.family_name, 'given_name', OLD.given_name,
		'birth_date', OLD.birth_date, 'sex', OLD.sex, 'language', OLD.language,
		'nationality', OLD.nationality, 'residence', OLD.residence, 'street', OLD.street,
		'postcode', OLD.postcode, 'municipality', OLD.municipality, 'phone', OLD.phone,
		'email', OLD.email, 'contact_name', OLD.contact_name,
		'contact_phone', OLD.contact_phone, 'contact_relation', OLD.contact_relation,
		'notes', OLD.notes));
END;
CREATE TRIGGER application_before BEFORE UPDATE ON application
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('application', OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'person_id', OLD.person_id, 'kind', OLD.kind, 'procedure', OLD.procedure,
		'received_on', OLD.received_on, 'problem', OLD.problem, 'status', OLD.status,
		'notes', OLD.notes));
END;
CREATE TRIGGER application_document_before BEFORE UPDATE ON application_document
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('application_document',
		OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'application_id', OLD.application_id, 'code', OLD.code, 'required', OLD.required,
		'received_on', OLD.received_on));
END;
CREATE TRIGGER staff_before BEFORE UPDATE ON staff
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('staff', OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'login', OLD.login, 'family_name', OLD.family_name, 'given_name', OLD.given_name,
		'role', OLD.role, 'discipline', OLD.discipline, 'languages', OLD.languages,
		'active', OLD.active));
END;

-- The append-only kinds still take the version the service gives their
-- rows: their triggers now refuse an UPDATE of any column but version.
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE OF id, centre_id, updated_at, updated_by, deleted,
	at, staff_id, role, person_id, action, detail ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
DROP TRIGGER person_history_no_update;
CREATE TRIGGER person_history_no_update BEFORE UPDATE OF id, centre_id, updated_at, updated_by,
	deleted, person_id, changed_at, changed_by, role, changes ON person_history
BEGIN
	SELECT RAISE(ABORT, 'person history is append-only');
END;

-- A contact form sent through the public website, assigned to this centre
-- by the service (handesk-sync(7), POST /v1/contact-forms); pulled.
CREATE TABLE contact_form (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID, given by the service
	centre_id TEXT NOT NULL,                   -- centre it was assigned to
	version INTEGER NOT NULL DEFAULT 0,        -- central version
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id ('' for the public form)
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone
	received_at TEXT NOT NULL DEFAULT '',      -- UTC ISO 8601 the service received it
	name TEXT NOT NULL DEFAULT '',             -- sender's name, as typed
	email TEXT NOT NULL DEFAULT '',            -- sender's e-mail address
	phone TEXT NOT NULL DEFAULT '',            -- sender's phone, normalised +32...
	insz TEXT NOT NULL DEFAULT '',             -- INSZ given by the sender, '' none
	language TEXT NOT NULL DEFAULT '',         -- nl, fr, de
	subject TEXT NOT NULL DEFAULT '',          -- subject line
	message TEXT NOT NULL DEFAULT '',          -- the message (\n and \t allowed)
	postcode TEXT NOT NULL DEFAULT '',         -- Belgian postcode, 4 digits, '' none
	attachments TEXT NOT NULL DEFAULT '[]',    -- JSON array of {name, type, size}
	person_id TEXT NOT NULL DEFAULT '',        -- person.id it was linked to, '' none yet
	status TEXT NOT NULL DEFAULT 'new'         -- 'new', ... (triage sets it)
);
CREATE INDEX contact_form_status ON contact_form(status, received_at);

-- A conflict the service found between a change of a cache and the
-- central row: both versions kept until a person decides (deleting the
-- record, through the outbox, marks it resolved).
CREATE TABLE conflict (
	id TEXT PRIMARY KEY NOT NULL,              -- UUID, given by the service
	centre_id TEXT NOT NULL,                   -- centre of the row in conflict
	version INTEGER NOT NULL DEFAULT 0,        -- central version
	updated_at TEXT NOT NULL,                  -- UTC ISO 8601
	updated_by TEXT NOT NULL DEFAULT '',       -- staff id of the change that conflicted
	deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)), -- tombstone: 1 = resolved
	entity TEXT NOT NULL DEFAULT '',           -- kind of the row: 'person', ...
	row_id TEXT NOT NULL DEFAULT '',           -- id of the row
	fields TEXT NOT NULL DEFAULT '',           -- conflicting field names, 'phone,email'
	ours TEXT NOT NULL DEFAULT '{}',           -- JSON object: the change's values
	theirs TEXT NOT NULL DEFAULT '{}',         -- JSON object: the service's values (and version)
	base TEXT NOT NULL DEFAULT '{}',           -- JSON object: the values the change started from
	raised_at TEXT NOT NULL DEFAULT '',        -- UTC ISO 8601 the conflict was found
	raised_by TEXT NOT NULL DEFAULT ''         -- staff id whose change conflicted
);
CREATE INDEX conflict_row ON conflict(entity, row_id);

-- An outbox entry the service rejected, with its reason: kept, shown,
-- editable, and moved back into the outbox to retry (or discarded by a
-- person).  The row's later changes wait until then.
CREATE TABLE sync_rejected (
	seq INTEGER PRIMARY KEY NOT NULL,          -- the outbox seq it had (given back on retry)
	entity TEXT NOT NULL,                      -- table: 'person', ...
	row_id TEXT NOT NULL,                      -- id of the changed row
	op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')), -- what happened
	base_version INTEGER NOT NULL,             -- the row's version the change was based on
	payload TEXT NOT NULL,                     -- json_object of the row after the change
	base TEXT,                                 -- json_object of the row before it, NULL for insert
	created_at TEXT NOT NULL,                  -- UTC ISO 8601 of the change
	reason TEXT NOT NULL,                      -- the service's words: 'insz: the check digits do not match'
	rejected_at TEXT NOT NULL                  -- UTC ISO 8601 of the rejection
);
CREATE INDEX sync_rejected_row ON sync_rejected(entity, row_id);

-- A pulled row that could not be applied yet: its local row has unsent or
-- rejected changes (rule 9), or its INSZ is held by another, unsynced,
-- local person.  Tried again after every page and push reply; applied (if
-- still newer) as soon as nothing stands in its way.
CREATE TABLE sync_held (
	entity TEXT NOT NULL,                      -- table: 'person', ...
	row_id TEXT NOT NULL,                      -- id of the row
	version INTEGER NOT NULL,                  -- its central version
	row TEXT NOT NULL,                         -- the row object as pulled (JSON)
	reason TEXT NOT NULL,                      -- 'local changes', 'insz held by another person'
	PRIMARY KEY (entity, row_id)
) WITHOUT ROWID;

-- A client changes a contact form's status and person_id, and deletes a
-- conflict record when a person has decided: their rows before the change
-- go into outbox_before too.
CREATE TRIGGER contact_form_before BEFORE UPDATE ON contact_form
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('contact_form', OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'received_at', OLD.received_at, 'name', OLD.name, 'email', OLD.email,
		'phone', OLD.phone, 'insz', OLD.insz, 'language', OLD.language,
		'subject', OLD.subject, 'message', OLD.message, 'postcode', OLD.postcode,
		'attachments', OLD.attachments, 'person_id', OLD.person_id, 'status', OLD.status));
END;
CREATE TRIGGER conflict_before BEFORE UPDATE ON conflict
BEGIN
	INSERT OR REPLACE INTO outbox_before(entity, row_id, base) VALUES ('conflict', OLD.id,
		json_object('id', OLD.id, 'centre_id', OLD.centre_id, 'version', OLD.version,
		'updated_at', OLD.updated_at, 'updated_by', OLD.updated_by, 'deleted', OLD.deleted,
		'entity', OLD.entity, 'row_id', OLD.row_id, 'fields', OLD.fields, 'ours', OLD.ours,
		'theirs', OLD.theirs, 'base', OLD.base, 'raised_at', OLD.raised_at,
		'raised_by', OLD.raised_by));
END;
