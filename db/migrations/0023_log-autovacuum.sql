-- The prediction log is append-only: rows leave it only through retention, whose deletes still
-- trigger autovacuum as usual. Vacuums triggered by inserts (visibility-map bits for index-only
-- scans, which its BRIN index never does) and an ANALYZE at every 10% of growth cost Postgres
-- more CPU per logged prediction than writing it (measured under serving load: ≈ 2.6 → 8.5 µs a
-- row with them); statistics are refreshed when the table doubles instead. The BRIN index's
-- summarization requests are autovacuum work items, done by the next worker in the database
-- (the launcher starts one every autovacuum_naptime whether or not a table needs a vacuum).
ALTER TABLE "prediction_log" SET (autovacuum_vacuum_insert_threshold = -1, autovacuum_analyze_scale_factor = 1.0, autovacuum_analyze_threshold = 100000);
