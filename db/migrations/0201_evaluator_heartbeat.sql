-- The evaluator's lease on a running evaluation: refreshed while it runs, so an evaluation whose
-- evaluator died (its pg-boss job still 'active') is noticed and its job failed back for a retry.
ALTER TABLE evaluations ADD COLUMN heartbeat_at timestamptz;
CREATE INDEX evaluations_running_idx ON evaluations (heartbeat_at) WHERE status = 'running';
