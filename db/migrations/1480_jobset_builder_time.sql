-- Fair sharing reads, before every claim, the builder time each jobset with queued builds used in the
-- last day. Summing its builds' times did not stay cheap: a jobset that had run 150,000 builds that
-- day made every claim of every queue runner read 150,000 index entries (100-200 ms). The time of a
-- finished build is now added to its jobset's hour as the build finishes (finishBuildRow), so a claim
-- reads at most 24 rows per jobset, and the builds it is running (a handful, from a small index).
CREATE TABLE jobset_builder_time (
  jobset_id bigint NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
  -- The hour the builds finished in.
  hour      timestamptz NOT NULL,
  seconds   double precision NOT NULL,
  PRIMARY KEY (jobset_id, hour)
);

-- The last day's builds, as the claims counted them until now.
INSERT INTO jobset_builder_time (jobset_id, hour, seconds)
SELECT jobset_id, date_trunc('hour', stopped_at), sum(extract(epoch FROM stopped_at - started_at))
FROM builds
WHERE finished AND stopped_at > now() - interval '1 day' AND stopped_at > started_at
GROUP BY 1, 2;

-- What the claims read the running builds from (a running build counts up to now).
CREATE INDEX builds_running_jobset_idx ON builds (jobset_id) INCLUDE (started_at)
  WHERE started_at IS NOT NULL AND NOT finished;
-- Only the claims' old sum over every recent build read it.
DROP INDEX builds_jobset_started_idx;
