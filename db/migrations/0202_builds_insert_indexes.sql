-- Cheaper bulk inserts of evaluations (every new build row pays one insert per index).
-- 1. builds and build_outputs each had two b-tree indexes on the same store path column: 0001's
--    default-collation one and 0101's text_pattern_ops one. A pattern-ops index also serves equality
--    (its operator family has `=`) and prefix LIKE; the search sorts its few prefix matches itself.
--    So the default ones only cost insert time: drop them.
DROP INDEX IF EXISTS builds_drv_path_idx;
DROP INDEX IF EXISTS build_outputs_path_idx;
-- 2. builds_status_idx indexed every new (unfinished, build_status NULL) build, yet every query by
--    status names a status (`build_status = $1`, or `IS NOT NULL` for the counts); unfinished builds
--    are found through builds_unfinished_idx. Index finished builds only: a new build enters it when
--    it finishes, an update that rewrites the row's index entries anyway.
DROP INDEX IF EXISTS builds_status_idx;
CREATE INDEX builds_status_idx ON builds (build_status, id DESC) WHERE build_status IS NOT NULL;
