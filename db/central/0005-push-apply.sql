-- 0005-push-apply.sql: a push batch applied by PostgreSQL in one call
-- (db/record.c): the merge and conflict rules of handesk-sync(7), change
-- by change, as handeskd applied them with a few statements each, so that
-- a batch of 1,000 changes costs one round trip instead of thousands.
-- handeskd checks every field first (src/sync_row.c): the changes given
-- here are well formed.  Applied by db/central.c in one transaction.

-- JSON text of a flat object as jansson writes it with JSON_COMPACT |
-- JSON_SORT_KEYS (keys in byte order, no spaces): the ours / theirs / base
-- texts of a conflict record.  Values are the scalars of a row's data.
CREATE FUNCTION handesk_json_text(o jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT '{' || coalesce(string_agg(to_json(key)::text || ':' || value::text, ','
	                                  ORDER BY key COLLATE "C"), '') || '}'
	FROM jsonb_each(o)
$$;
COMMENT ON FUNCTION handesk_json_text(jsonb) IS
	'compact JSON text of a flat object with its keys in byte order (as jansson sorts them)';

-- The living person of the current centre that holds an INSZ, other than
-- p_id.  A definer's function: under row-level security the INSZ
-- expression (->>, not leakproof) cannot be an index condition, and the
-- lookup read every person of the centre; run by a role that row-level
-- security does not bind (the superuser that migrates), it takes the
-- index record_person_insz.  The centre is still the request's.
CREATE FUNCTION handesk_insz_holder(p_insz text, p_id uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
AS $$
	SELECT id FROM record
	WHERE centre_id = handesk_centre_id() AND entity = 'person' AND NOT deleted
	  AND data ->> 'insz' <> '' AND data ->> 'insz' = p_insz AND id <> p_id
	LIMIT 2
$$;
COMMENT ON FUNCTION handesk_insz_holder(text, uuid) IS
	'id of the living person of the request''s centre holding this INSZ (not p_id), or NULL';
REVOKE ALL ON FUNCTION handesk_insz_holder(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION handesk_insz_holder(text, uuid) TO handesk_centre;

-- Apply the checked changes of one push batch for the centre of the
-- request (handesk.centre_id), in order, each by the rules of
-- handesk-sync(7); one result row per change, in the same order.  Each
-- change of p_changes (a JSON array) is an object: change, entity, id, op
-- (insert, update, delete), base_version, updated_at, updated_by, fields
-- (object), keys (update: the names of fields in the order sent, as a
-- conflict lists them), base (object or null), base_text (text: base as
-- the conflict record keeps it, compact with sorted keys; absent = {}).
-- Result: o_status applied | duplicate | conflict | rejected; o_reason
-- (rejected); o_fields (conflict: the field names, comma-separated); the
-- row (r_*: applied, duplicate, conflict) and the conflict record (c_*),
-- each as record's columns.  A unique violation on a person's INSZ is
-- caught for the change alone (its own savepoint); any other error fails
-- the call (the request's transaction is rolled back), SQLSTATE 40001
-- when an INSZ holder vanished meanwhile (try the batch again).
CREATE FUNCTION handesk_push_apply(p_changes jsonb)
RETURNS TABLE (o_i int, o_status text, o_reason text, o_fields text,
               r_entity text, r_id uuid, r_centre_id uuid, r_version bigint,
               r_updated_at timestamptz, r_updated_by text, r_deleted boolean,
               r_data jsonb, r_txid xid8,
               c_entity text, c_id uuid, c_centre_id uuid, c_version bigint,
               c_updated_at timestamptz, c_updated_by text, c_deleted boolean,
               c_data jsonb, c_txid xid8)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
	v_centre uuid := handesk_centre_id();
	ch jsonb;
	v_ent text;
	v_id uuid;
	v_op text;
	v_bv bigint;
	v_at timestamptz;
	v_by text;
	v_f jsonb;
	v_b jsonb;
	v_theirs text;
	v_ours text;
	v_holder uuid;
	v_key text;
	v_now jsonb;
	v_new jsonb;
	v_was jsonb;
	v_cname text;
	v_done boolean;
	cur record;
	o record;
	cr record;
	has_row boolean;
	has_conflict boolean;
	v_check text[];
BEGIN
	IF v_centre IS NULL THEN
		RAISE EXCEPTION 'handesk.centre_id is not set';
	END IF;
	-- The change ids to look up one by one: those applied before, and
	-- those the batch holds twice.  The others (nearly always all) are new.
	v_check := ARRAY(
		SELECT sc.change FROM sync_change sc
		WHERE sc.centre_id = v_centre
		  AND sc.change IN (SELECT e ->> 'change' FROM jsonb_array_elements(p_changes) e)
		UNION
		SELECT e ->> 'change' FROM jsonb_array_elements(p_changes) e
		GROUP BY 1 HAVING count(*) > 1);
	FOR ch, o_i IN SELECT value, ordinality FROM jsonb_array_elements(p_changes) WITH ORDINALITY
	LOOP
		o_status := NULL;
		o_reason := NULL;
		o_fields := NULL;
		has_row := false;
		has_conflict := false;
		v_theirs := NULL;
		v_ent := ch ->> 'entity';
		v_id := (ch ->> 'id')::uuid;
		v_op := ch ->> 'op';
		v_bv := coalesce((ch ->> 'base_version')::bigint, 0);
		v_at := (ch ->> 'updated_at')::timestamptz;
		v_by := coalesce(ch ->> 'updated_by', '');
		v_f := coalesce(ch -> 'fields', '{}');
		IF jsonb_typeof(v_f) <> 'object' THEN
			v_f := '{}';
		END IF;
		v_b := ch -> 'base';
		IF jsonb_typeof(v_b) IS DISTINCT FROM 'object' THEN
			v_b := NULL;
		END IF;
		v_ours := NULL;

		-- A change id applied before: duplicate, with the row as it is.
		-- (Scalar subqueries: the change first, then its row by entity
		-- and id.)
		IF (ch ->> 'change') = ANY (v_check) THEN
			SELECT * INTO o FROM record
			WHERE entity = (SELECT sc.entity FROM sync_change sc
			                WHERE sc.centre_id = v_centre AND sc.change = ch ->> 'change')
			  AND id = (SELECT sc.id FROM sync_change sc
			            WHERE sc.centre_id = v_centre AND sc.change = ch ->> 'change');
		END IF;
		IF (ch ->> 'change') = ANY (v_check) AND FOUND THEN
			o_status := 'duplicate';
			has_row := true;
		ELSIF v_op NOT IN ('insert', 'update', 'delete') OR v_op IS NULL THEN
			o_status := 'rejected';
			o_reason := 'op: insert, update or delete';
		ELSE
			IF v_op = 'insert' THEN
				-- Written and remembered in one statement; nothing written
				-- if the id is known (here, or to another centre: invisible
				-- here) or the INSZ held by another person.
				WITH w AS (
					INSERT INTO record (entity, id, centre_id, version, updated_at,
					                    updated_by, data)
					VALUES (v_ent, v_id, v_centre, nextval('record_version'), v_at, v_by,
					        v_f)
					ON CONFLICT DO NOTHING
					RETURNING *),
				r AS (
					INSERT INTO sync_change (centre_id, change, entity, id, version)
					SELECT v_centre, ch ->> 'change', w.entity, w.id, w.version FROM w
					ON CONFLICT DO NOTHING)
				SELECT * INTO o FROM w;
				IF FOUND THEN
					o_status := 'applied';
					has_row := true;
				ELSE
					SELECT * INTO cur FROM record WHERE entity = v_ent AND id = v_id
					FOR UPDATE;
					IF FOUND AND cur.data = v_f THEN
						o := cur;
						o_status := 'duplicate';
						has_row := true;
					ELSIF NOT FOUND AND v_ent = 'person'
					      AND coalesce(v_f ->> 'insz', '') <> '' THEN
						v_holder := handesk_insz_holder(v_f ->> 'insz', v_id);
						IF v_holder IS NOT NULL THEN
							o_status := 'conflict';
						END IF;
					END IF;
					IF o_status IS NULL THEN
						o_status := 'rejected';
						o_reason := 'id already exists';
					END IF;
				END IF;
			ELSE
				SELECT * INTO cur FROM record WHERE entity = v_ent AND id = v_id FOR UPDATE;
			END IF;
			IF v_op = 'insert' THEN
				NULL;
			ELSIF NOT FOUND THEN
				o_status := 'rejected';
				o_reason := 'no such row';
			ELSIF v_op = 'delete' AND cur.deleted THEN
				o := cur;
				o_status := 'duplicate';
				has_row := true;
			ELSIF cur.deleted THEN
				-- Changed here, deleted there: a person decides.
				o_status := 'conflict';
				o_fields := 'deleted';
				v_theirs := '{"deleted":true,"version":' || cur.version || '}';
			ELSIF v_bv > cur.version THEN
				o_status := 'rejected';
				o_reason := format('base_version %s is newer than the row''s version %s',
				                   v_bv, cur.version);
			ELSIF v_op = 'delete' AND v_bv < cur.version THEN
				-- Deleted here, changed there since: a person decides.
				o_status := 'conflict';
				o_fields := 'deleted';
				v_ours := '{"deleted":true}';
				v_theirs := handesk_json_text(cur.data ||
				                              jsonb_build_object('version', cur.version));
			ELSIF v_op = 'delete' THEN
				UPDATE record SET deleted = true, version = nextval('record_version'),
				       txid = pg_current_xact_id(), updated_at = v_at, updated_by = v_by
				WHERE entity = v_ent AND id = v_id
				RETURNING * INTO o;
				o_status := 'applied';
				has_row := true;
			ELSE
				IF v_bv < cur.version THEN
					-- Changed on both sides since base_version: a field
					-- merges if only one side changed it, or both to the
					-- same value.
					FOR v_key IN SELECT jsonb_array_elements_text(ch -> 'keys') LOOP
						v_now := cur.data -> v_key;
						v_new := v_f -> v_key;
						v_was := v_b -> v_key;
						CONTINUE WHEN (v_now IS NOT NULL AND v_now = v_new)
						           OR (v_now IS NOT NULL AND v_was IS NOT NULL
						               AND v_now = v_was)
						           OR (v_now IS NULL AND v_was IS NULL);
						o_fields := CASE WHEN o_fields IS NULL THEN v_key
						                 ELSE o_fields || ',' || v_key END;
					END LOOP;
					IF o_fields IS NOT NULL THEN
						o_status := 'conflict';
						SELECT handesk_json_text(coalesce(jsonb_object_agg(k, cur.data -> k),
						                                  '{}')
						                         || jsonb_build_object('version', cur.version))
						INTO v_theirs
						FROM jsonb_object_keys(v_f) k WHERE cur.data ? k;
					END IF;
				END IF;
				IF o_status IS NULL THEN
					IF v_ent = 'person' AND v_f ? 'insz' THEN
						BEGIN
							UPDATE record SET data = data || v_f,
							       version = nextval('record_version'),
							       txid = pg_current_xact_id(), updated_at = v_at,
							       updated_by = v_by
							WHERE entity = v_ent AND id = v_id
							RETURNING * INTO o;
							o_status := 'applied';
							has_row := true;
						EXCEPTION WHEN unique_violation THEN
							GET STACKED DIAGNOSTICS v_cname = CONSTRAINT_NAME;
							IF v_cname IS DISTINCT FROM 'record_person_insz' THEN
								RAISE;
							END IF;
							v_holder := handesk_insz_holder(v_f ->> 'insz', v_id);
							o_status := 'conflict';
						END;
					ELSE
						UPDATE record SET data = data || v_f,
						       version = nextval('record_version'),
						       txid = pg_current_xact_id(), updated_at = v_at,
						       updated_by = v_by
						WHERE entity = v_ent AND id = v_id
						RETURNING * INTO o;
						o_status := 'applied';
						has_row := true;
					END IF;
				END IF;
			END IF;
			IF o_status = 'conflict' AND o_fields IS NULL THEN
				-- The INSZ is another person's: that person is the row.
				SELECT * INTO o FROM record
				WHERE entity = 'person' AND id = v_holder AND NOT deleted;
				IF NOT FOUND THEN
					RAISE EXCEPTION 'the holder of INSZ % changed meanwhile', v_f ->> 'insz'
					      USING ERRCODE = 'serialization_failure';
				END IF;
				o_fields := 'insz';
				v_theirs := handesk_json_text(o.data || jsonb_build_object('id', o.id::text,
				                              'version', o.version));
			ELSIF o_status = 'conflict' THEN
				o := cur;
			END IF;
			IF o_status = 'conflict' THEN
				has_row := true;
				has_conflict := true;
				INSERT INTO record (entity, id, centre_id, version, updated_at, updated_by,
				                    data)
				VALUES ('conflict', gen_random_uuid(), v_centre, nextval('record_version'),
				        now(), v_by,
				        jsonb_build_object('entity', v_ent, 'row_id', v_id::text,
				                           'fields', o_fields,
				                           'ours', coalesce(v_ours, handesk_json_text(v_f)),
				                           'theirs', v_theirs,
				                           'base', coalesce(ch ->> 'base_text', '{}'),
				                           'raised_at', to_char(now() AT TIME ZONE 'UTC',
				                                                'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
				                           'raised_by', v_by))
				RETURNING * INTO cr;
			ELSIF o_status = 'applied' AND v_op <> 'insert' THEN
				-- The same change in a later batch is then a duplicate.
				INSERT INTO sync_change (centre_id, change, entity, id, version)
				VALUES (v_centre, ch ->> 'change', v_ent, v_id, o.version)
				ON CONFLICT DO NOTHING;
			END IF;
		END IF;
		IF has_row THEN
			r_entity := o.entity;
			r_id := o.id;
			r_centre_id := o.centre_id;
			r_version := o.version;
			r_updated_at := o.updated_at;
			r_updated_by := o.updated_by;
			r_deleted := o.deleted;
			r_data := o.data;
			r_txid := o.txid;
		ELSE
			r_entity := NULL;
			r_id := NULL;
			r_centre_id := NULL;
			r_version := NULL;
			r_updated_at := NULL;
			r_updated_by := NULL;
			r_deleted := NULL;
			r_data := NULL;
			r_txid := NULL;
		END IF;
		IF has_conflict THEN
			c_entity := cr.entity;
			c_id := cr.id;
			c_centre_id := cr.centre_id;
			c_version := cr.version;
			c_updated_at := cr.updated_at;
			c_updated_by := cr.updated_by;
			c_deleted := cr.deleted;
			c_data := cr.data;
			c_txid := cr.txid;
		ELSE
			c_entity := NULL;
			c_id := NULL;
			c_centre_id := NULL;
			c_version := NULL;
			c_updated_at := NULL;
			c_updated_by := NULL;
			c_deleted := NULL;
			c_data := NULL;
			c_txid := NULL;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION handesk_push_apply(jsonb) IS
	'applies the checked changes of a push batch for the request''s centre; one result row per change';
GRANT EXECUTE ON FUNCTION handesk_push_apply(jsonb) TO handesk_centre;
GRANT EXECUTE ON FUNCTION handesk_json_text(jsonb) TO handesk_centre;
