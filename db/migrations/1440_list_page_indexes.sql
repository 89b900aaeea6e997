-- Lists and pages that stay fast at a million builds (issue 14): each list reads its page of ids
-- from one index in its order, then the details of those ids only.
-- 1. An evaluation's builds newest first (the builds list filtered by evaluation), and its counts
--    per status from the index alone (build_status: NULL unfinished, 0 succeeded, else failed).
--    Replaces the index on evaluation_id alone, so recording a build updates no more indexes.
DROP INDEX builds_evaluation_idx;
CREATE INDEX builds_evaluation_idx ON builds (evaluation_id, id DESC) INCLUDE (build_status);
-- 2. Recently finished builds in a total order (keyset pages of /api/v1/builds/recent), and the
--    finished-in-the-last-hours counts per outcome from the index alone.
DROP INDEX builds_stopped_idx;
CREATE INDEX builds_stopped_idx ON builds (stopped_at DESC, id DESC) INCLUDE (build_status) WHERE finished;
-- 3. Running builds, longest running first (/queue), without reading past the queued ones.
CREATE INDEX builds_running_idx ON builds (started_at, id) WHERE NOT finished AND started_at IS NOT NULL;
-- 4. Evaluations by status (the status filter of /api/v1/evaluations and /evaluations).
CREATE INDEX evaluations_status_idx ON evaluations (status, id DESC);
