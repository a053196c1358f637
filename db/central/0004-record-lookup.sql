-- 0004-record-lookup.sql: one row of a centre found by its centre, entity
-- and id.  Every lookup of a row runs under row-level security, so it has
-- centre_id = handesk_centre_id() besides (entity, id); where the
-- statistics put a centre's share of the rows near zero (a centre added
-- since the last ANALYZE, or one much smaller than the rest), PostgreSQL
-- chose record_pull for it and read the whole centre's index for each
-- pushed change (1,000 changes took seconds: bench/bench_sync.sh).  With
-- all three columns in one index, the cheapest path is the exact one.
-- Applied by db/central.c in one transaction.
CREATE INDEX record_centre_row ON record (centre_id, entity, id);
