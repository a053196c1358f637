-- 0003-contact.sql: the public contact-form intake (POST /v1/contact-forms):
-- the postcode areas that assign a form to a centre, the rate limit shared
-- by every handeskd, and the lookup of the person a form names by INSZ.
-- The forms themselves are `contact_form` rows of record (0002-sync.sql).
-- Applied by db/central.c in one transaction.

-- The postcodes a centre serves: a form without a known person goes to the
-- centre whose area holds its postcode.  Areas never overlap, so that a
-- postcode has one centre.
CREATE TABLE centre_area (
	centre_id     uuid NOT NULL REFERENCES centre (id),
	postcode_from int NOT NULL CHECK (postcode_from BETWEEN 1000 AND 9999),
	postcode_to   int NOT NULL CHECK (postcode_to BETWEEN postcode_from AND 9999),
	created_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (centre_id, postcode_from),
	EXCLUDE USING gist (int4range(postcode_from, postcode_to, '[]') WITH &&)
);
COMMENT ON TABLE centre_area IS 'Postcode ranges of the centres, for contact forms (handeskd centre area add)';
COMMENT ON COLUMN centre_area.centre_id IS 'the centre that serves these postcodes';
COMMENT ON COLUMN centre_area.postcode_from IS 'first postcode of the range (inclusive)';
COMMENT ON COLUMN centre_area.postcode_to IS 'last postcode of the range (inclusive)';
COMMENT ON COLUMN centre_area.created_at IS 'when the range was added (UTC)';

-- Contact forms counted per source address and minute: every handeskd
-- counts in the same rows (INSERT ... ON CONFLICT DO UPDATE), so several
-- instances behind one proxy share one limit.  Old minutes are deleted as
-- new ones begin.
CREATE TABLE rate_limit (
	source       text NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
	window_start timestamptz NOT NULL,
	count        int NOT NULL CHECK (count >= 1),
	PRIMARY KEY (source, window_start)
);
COMMENT ON TABLE rate_limit IS 'Contact forms received per source address and minute (the rate limit of POST /v1/contact-forms)';
COMMENT ON COLUMN rate_limit.source IS 'client address (IPv4 or IPv6 text), after X-Forwarded-For of a trusted proxy';
COMMENT ON COLUMN rate_limit.window_start IS 'the minute counted (date_trunc(''minute'', now()))';
COMMENT ON COLUMN rate_limit.count IS 'contact forms received from source in that minute, refused ones included';
CREATE INDEX rate_limit_window ON rate_limit (window_start);

-- The living person with this INSZ, in any centre (the most recently
-- changed if several centres know it).  record's row-level security is
-- forced on its owner too: the function looks centre by centre, acting for
-- each in turn as the sync requests do, and restores the setting.
CREATE FUNCTION contact_form_person(p_insz text, OUT centre_id uuid, OUT person_id uuid)
LANGUAGE plpgsql
AS $$
DECLARE
	previous text := current_setting('handesk.centre_id', true);
	c uuid;
	found_at timestamptz;
	r record;
BEGIN
	IF coalesce(p_insz, '') = '' THEN
		RETURN;
	END IF;
	FOR c IN SELECT id FROM centre ORDER BY code LOOP
		PERFORM set_config('handesk.centre_id', c::text, true);
		SELECT rec.id, rec.updated_at INTO r FROM record rec
		WHERE rec.centre_id = c AND rec.entity = 'person' AND NOT rec.deleted
		  AND rec.data ->> 'insz' = p_insz
		ORDER BY rec.updated_at DESC LIMIT 1;
		IF FOUND AND (found_at IS NULL OR r.updated_at > found_at) THEN
			centre_id := c;
			person_id := r.id;
			found_at := r.updated_at;
		END IF;
	END LOOP;
	PERFORM set_config('handesk.centre_id', coalesce(previous, ''), true);
END
$$;
COMMENT ON FUNCTION contact_form_person(text) IS 'centre and id of the living person with this INSZ (NULLs if none): the centre of a contact form';
