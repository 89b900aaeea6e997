-- Build notifications (fc-queue-runner's notify-build consumer): one delivery row per build, channel
-- and finish of the build. A restarted build finishes again with a new stopped_at, so each finish is
-- reported once per channel however often its notify-build job is retried or published; the row
-- keeps what the last attempt said.
ALTER TABLE notification_deliveries
  -- builds.stopped_at of the finish this delivery reports.
  ADD COLUMN build_stopped_at timestamptz,
  -- Set when a failed attempt may succeed later (HTTP 5xx/408/429, timeout, connection error).
  ADD COLUMN retryable        boolean NOT NULL DEFAULT false,
  -- The HTTP status of the last answer (webhook, commit statuses).
  ADD COLUMN http_status      integer,
  -- run_command: the exit code (NULL when it was killed or did not start) and the output's tail.
  ADD COLUMN exit_code        integer,
  ADD COLUMN output_tail      text,
  ADD COLUMN last_attempt_at  timestamptz;

-- No consumer wrote rows before this migration; any row there is taken as its own finish.
UPDATE notification_deliveries SET build_stopped_at = created_at WHERE build_stopped_at IS NULL;
ALTER TABLE notification_deliveries ALTER COLUMN build_stopped_at SET NOT NULL;

CREATE UNIQUE INDEX notification_deliveries_once_idx
  ON notification_deliveries (build_id, kind, target, build_stopped_at);
