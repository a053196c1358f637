-- 0002-sync.sql: the synced records of every centre (handesk-sync(7)), the
-- stored answers of push batches (idempotency), the change ids applied,
-- and the role and row-level security that keep each request inside its
-- token's centre.  Applied by db/central.c in one transaction.

-- The role every sync request runs as (SET LOCAL ROLE handesk_centre,
-- with SET LOCAL handesk.centre_id = the token's centre): the policies
-- below show it its centre's rows only.  Roles belong to the cluster, not
-- the database: made once, a second database (or a concurrent migration
-- of another database) finds it there.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'handesk_centre') THEN
		BEGIN
			CREATE ROLE handesk_centre NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	END IF;
	-- handeskd's own role must be allowed to SET ROLE to it (a superuser
	-- always is).
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		EXECUTE format('GRANT handesk_centre TO %I', current_user);
	END IF;
END
$$;

-- The centre a request acts for, NULL when none is set (outside a sync
-- request every row is hidden from handesk_centre).
CREATE FUNCTION handesk_centre_id() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('handesk.centre_id', true), '')::uuid $$;
COMMENT ON FUNCTION handesk_centre_id() IS
	'the centre of the current sync request (SET LOCAL handesk.centre_id), NULL if none';

-- Versions of every write of every centre: one global order.
CREATE SEQUENCE record_version;
COMMENT ON SEQUENCE record_version IS 'the version of each write to record (global, increasing)';

-- One synced row of any entity (person, application, audit, ...): the sync
-- columns as columns, every other field in data.
CREATE TABLE record (
	entity     text NOT NULL,
	id         uuid NOT NULL,
	centre_id  uuid NOT NULL REFERENCES centre (id),
	version    bigint NOT NULL,
	txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
	updated_at timestamptz NOT NULL,
	updated_by text NOT NULL DEFAULT '',
	deleted    boolean NOT NULL DEFAULT false,
	data       jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
	PRIMARY KEY (entity, id)
);
COMMENT ON TABLE record IS 'Synced rows of every entity and centre (handesk-sync(7)); never physically deleted';
COMMENT ON COLUMN record.entity IS 'kind of row: centre, staff, person, application, application_document, audit, person_history, contact_form, conflict';
COMMENT ON COLUMN record.id IS 'UUID of the row, born where the row is born';
COMMENT ON COLUMN record.centre_id IS 'the centre the row belongs to: taken from the token, never from the client';
COMMENT ON COLUMN record.version IS 'nextval(''record_version'') at each write';
COMMENT ON COLUMN record.txid IS 'the transaction of the last write (pg_current_xact_id()): the pull cursor orders by (txid, version)';
COMMENT ON COLUMN record.updated_at IS 'when the row was last changed, as the client said (UTC)';
COMMENT ON COLUMN record.updated_by IS 'staff id of who changed it last ('''' for none or the service)';
COMMENT ON COLUMN record.deleted IS 'tombstone: true once deleted';
COMMENT ON COLUMN record.data IS 'every field of the entity (JSON object: strings, and integers for the int fields)';

-- Pull: the rows of a centre after a cursor, in (txid, version) order.
CREATE INDEX record_pull ON record (centre_id, txid, version);
-- Snapshot: the living rows of a centre in (entity, id) order.
CREATE INDEX record_snapshot ON record (centre_id, entity, id) WHERE NOT deleted;
-- One living person per non-empty INSZ in a centre: a second one is a
-- conflict for a person to resolve, even between concurrent pushes.
CREATE UNIQUE INDEX record_person_insz ON record (centre_id, (data ->> 'insz'))
	WHERE entity = 'person' AND NOT deleted AND data ->> 'insz' <> '';

-- The answer of each push batch, kept so that a batch sent again (the
-- answer was lost) gets the same answer byte for byte and changes nothing.
CREATE TABLE sync_batch (
	centre_id  uuid NOT NULL REFERENCES centre (id),
	batch      uuid NOT NULL,
	response   text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (centre_id, batch)
);
COMMENT ON TABLE sync_batch IS 'Push batches answered, with their answer (idempotency of POST /v1/push)';
COMMENT ON COLUMN sync_batch.centre_id IS 'the centre of the token that pushed the batch';
COMMENT ON COLUMN sync_batch.batch IS 'the batch id chosen by the client';
COMMENT ON COLUMN sync_batch.response IS 'the JSON answer exactly as sent ('''' while the batch is being applied)';
COMMENT ON COLUMN sync_batch.created_at IS 'when the batch was applied (UTC)';

-- The change ids applied: the same change in a later batch is a duplicate.
CREATE TABLE sync_change (
	centre_id  uuid NOT NULL REFERENCES centre (id),
	change     text NOT NULL,
	entity     text NOT NULL,
	id         uuid NOT NULL,
	version    bigint NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (centre_id, change)
);
COMMENT ON TABLE sync_change IS 'Pushed changes applied, by their change id (<cache uuid>:<outbox seq>)';
COMMENT ON COLUMN sync_change.centre_id IS 'the centre of the token that pushed it';
COMMENT ON COLUMN sync_change.change IS 'the change id chosen by the client';
COMMENT ON COLUMN sync_change.entity IS 'record.entity of the row it changed';
COMMENT ON COLUMN sync_change.id IS 'record.id of the row it changed';
COMMENT ON COLUMN sync_change.version IS 'the version the change gave the row';
COMMENT ON COLUMN sync_change.created_at IS 'when it was applied (UTC)';

-- Row-level security, forced on the owner too: whoever runs as
-- handesk_centre (or any role that is neither superuser nor BYPASSRLS)
-- sees and writes the rows of handesk.centre_id only.
ALTER TABLE record ENABLE ROW LEVEL SECURITY;
ALTER TABLE record FORCE ROW LEVEL SECURITY;
CREATE POLICY record_centre ON record
	USING (centre_id = handesk_centre_id()) WITH CHECK (centre_id = handesk_centre_id());
ALTER TABLE sync_batch ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_batch FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_batch_centre ON sync_batch
	USING (centre_id = handesk_centre_id()) WITH CHECK (centre_id = handesk_centre_id());
ALTER TABLE sync_change ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_change FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_change_centre ON sync_change
	USING (centre_id = handesk_centre_id()) WITH CHECK (centre_id = handesk_centre_id());

GRANT SELECT, INSERT, UPDATE ON record, sync_batch, sync_change TO handesk_centre;
GRANT USAGE, SELECT ON SEQUENCE record_version TO handesk_centre;
GRANT EXECUTE ON FUNCTION handesk_centre_id() TO handesk_centre;

-- The row of a centre is synced too (entity centre, its own centre):
-- kept current from the centre table by this trigger, which acts for
-- that centre for the time of its write.
CREATE FUNCTION record_centre_sync() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	previous text := current_setting('handesk.centre_id', true);
BEGIN
	PERFORM set_config('handesk.centre_id', NEW.id::text, true);
	INSERT INTO record (entity, id, centre_id, version, updated_at, data)
	VALUES ('centre', NEW.id, NEW.id, nextval('record_version'), now(),
	        jsonb_build_object('code', NEW.code, 'name', NEW.name, 'language', NEW.language))
	ON CONFLICT (entity, id) DO UPDATE
	SET version = EXCLUDED.version, txid = pg_current_xact_id(),
	    updated_at = EXCLUDED.updated_at, data = EXCLUDED.data;
	PERFORM set_config('handesk.centre_id', coalesce(previous, ''), true);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION record_centre_sync() IS 'keeps the centre row of record current with the centre table';
CREATE TRIGGER centre_record AFTER INSERT OR UPDATE ON centre
	FOR EACH ROW EXECUTE FUNCTION record_centre_sync();

-- The centres made before this migration.
UPDATE centre SET code = code;
