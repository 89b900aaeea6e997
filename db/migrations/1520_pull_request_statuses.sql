-- Pull requests, continued: where their commit statuses go, and when a closed one's jobset goes.
ALTER TABLE projects
  -- Commit statuses of pull-request builds: one per job, one summary per evaluation, or both.
  ADD COLUMN pull_request_statuses text NOT NULL DEFAULT 'both'
    CHECK (pull_request_statuses IN ('jobs', 'summary', 'both'));

ALTER TABLE pull_requests
  -- The base repository on the forge ("owner/name", the payload's repository.full_name): statuses go
  -- to its head commit there, for a fork's pull request too. NULL = the project's repository_url.
  ADD COLUMN base_repository text CHECK (base_repository IS NULL OR base_repository ~ '^[^/\s]+/[^/\s]+$'),
  -- When it was closed (NULL while open): its jobset is removed keep_nr template evaluations later.
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN merged boolean NOT NULL DEFAULT false;

-- The pull request of a jobset (notifications and the evaluator ask by jobset).
CREATE UNIQUE INDEX pull_requests_jobset_idx ON pull_requests (jobset_id) WHERE jobset_id IS NOT NULL;
