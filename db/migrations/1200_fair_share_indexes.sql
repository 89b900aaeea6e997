-- Fair sharing between jobsets reads, before every claim, each jobset with queued builds (and its
-- oldest queued build) and the builder time each used recently: both from small index scans, so a
-- claim stays cheap with 100,000 builds queued.
CREATE INDEX builds_queued_jobset_idx ON builds (jobset_id, id) WHERE NOT finished AND started_at IS NULL;
CREATE INDEX builds_jobset_started_idx ON builds (jobset_id, started_at) INCLUDE (stopped_at, finished)
  WHERE started_at IS NOT NULL;
