-- The queue runner running a build (its host and pid), for the dashboard's /queue page: written when
-- the build starts, kept after it finishes (who ran it last).
ALTER TABLE builds ADD COLUMN runner text;

-- The queue page reads queued builds in Hydra's order (bumped first, then priority, then id).
CREATE INDEX builds_queue_order_idx ON builds (global_priority DESC, priority DESC, id)
  WHERE NOT finished AND started_at IS NULL;
