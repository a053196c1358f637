-- 0001-init.sql: the central store's first schema (PostgreSQL 15): the
-- centres and the access tokens of their workstations.  The synced tables
-- come with the migrations that follow.  Applied by db/central.c in one
-- transaction, which also records it in schema_migration (created there,
-- before any migration, so that the runner can lock and read it).


-- A disability recognition centre: the unit that data is scoped to.
CREATE TABLE centre (
	id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	code       text NOT NULL UNIQUE
	           CHECK (code ~ '^[A-Z][A-Z0-9]{1,14}$'),
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
	language   text NOT NULL CHECK (language IN ('nl', 'fr', 'de')),
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE centre IS 'A disability recognition centre; every synced row belongs to one';
COMMENT ON COLUMN centre.id IS 'UUID of the centre, the centre_id of its rows';
COMMENT ON COLUMN centre.code IS 'short code shown to people and used on the command line (BRU): upper case letters and digits, 2 to 15';
COMMENT ON COLUMN centre.name IS 'full name of the centre';
COMMENT ON COLUMN centre.language IS 'working language of the centre: nl, fr or de';
COMMENT ON COLUMN centre.created_at IS 'when the centre was added (UTC)';

-- A bearer token of a centre (one per workstation or host).  Only the
-- SHA-256 of the secret is kept: a leaked database gives no valid token.
CREATE TABLE token (
	id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	centre_id    uuid NOT NULL REFERENCES centre (id),
	name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
	hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
	created_at   timestamptz NOT NULL DEFAULT now(),
	revoked_at   timestamptz,
	last_used_at timestamptz
);
COMMENT ON TABLE token IS 'Bearer tokens of the centres; the secret itself is never stored';
COMMENT ON COLUMN token.id IS 'UUID of the token, to revoke it by';
COMMENT ON COLUMN token.centre_id IS 'the centre whose data the token reads and writes';
COMMENT ON COLUMN token.name IS 'what the token is for (workstation-12), unique among the valid tokens of a centre';
COMMENT ON COLUMN token.hash IS 'SHA-256 of the secret (its UTF-8 text), the lookup key of each request';
COMMENT ON COLUMN token.created_at IS 'when the token was made (UTC)';
COMMENT ON COLUMN token.revoked_at IS 'when the token was revoked (UTC); NULL while valid';
COMMENT ON COLUMN token.last_used_at IS 'last authenticated request (UTC), updated at most once a minute; NULL if never used';

-- A name may be reused once the old token is revoked.
CREATE UNIQUE INDEX token_valid_name ON token (centre_id, name) WHERE revoked_at IS NULL;
