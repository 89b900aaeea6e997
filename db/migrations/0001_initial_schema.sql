-- FC's schema, designed for the whole product: projects and jobsets, evaluations, builds with
-- Hydra's fields and status codes, steps, outputs, products, metrics, channels, users, API keys,
-- sessions, remote builders and notification deliveries.
-- Build status codes (builds.build_status, build_steps.status) are Hydra's:
--   0 succeeded, 1 failed, 2 dependency failed, 3 aborted, 4 cancelled, 6 failed with output,
--   7 timed out, 8 cached failure, 9 unsupported system, 10 log limit exceeded,
--   11 output size limit exceeded, 12 non-deterministic.

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._-]{1,64}$'),
  email         text,
  full_name     text,
  password_hash text,
  roles         text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  key_hash     bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  key_prefix   text NOT NULL,
  role         text NOT NULL CHECK (length(role) BETWEEN 1 AND 64),
  user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

-- connect-pg-simple's table, as its table.sql creates it.
CREATE TABLE session (
  sid    varchar NOT NULL PRIMARY KEY,
  sess   json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX session_expire_idx ON session (expire);

CREATE TABLE projects (
  id                    bigserial PRIMARY KEY,
  name                  text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  display_name          text,
  description           text,
  repository_url        text NOT NULL CHECK (length(repository_url) > 0),
  homepage              text,
  enabled               boolean NOT NULL DEFAULT true,
  hidden                boolean NOT NULL DEFAULT false,
  owner_id              bigint REFERENCES users (id) ON DELETE SET NULL,
  github_webhook_secret text,
  gitea_webhook_secret  text,
  declarative_file      text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobsets (
  id                 bigserial PRIMARY KEY,
  project_id         bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name               text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  description        text,
  flake_mode         boolean NOT NULL DEFAULT false,
  nix_expression     text NOT NULL CHECK (length(nix_expression) > 0),
  branch             text CHECK (branch IS NULL OR branch !~ '^-'),
  check_interval     integer NOT NULL DEFAULT 60 CHECK (check_interval >= 0),
  state              text NOT NULL DEFAULT 'enabled'
                       CHECK (state IN ('disabled', 'enabled', 'one-shot', 'one-at-a-time')),
  scheduling_shares  integer NOT NULL DEFAULT 100 CHECK (scheduling_shares > 0),
  keep_nr            integer NOT NULL DEFAULT 3 CHECK (keep_nr >= 0),
  hidden             boolean NOT NULL DEFAULT false,
  -- Set by the API's trigger and by webhooks; cleared when the evaluation starts.
  trigger_time       timestamptz,
  force_eval         boolean NOT NULL DEFAULT false,
  last_checked_at    timestamptz,
  -- The last fetch or evaluation failure of the whole jobset.
  error_message      text,
  error_at           timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, name),
  UNIQUE (id, project_id)
);
CREATE INDEX jobsets_due_idx ON jobsets (last_checked_at NULLS FIRST) WHERE state <> 'disabled';

CREATE TABLE jobset_inputs (
  jobset_id bigint NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
  name      text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_\x27-]*$'),
  type      text NOT NULL CHECK (type IN ('git', 'string', 'boolean', 'nix', 'path')),
  value     text NOT NULL,
  -- Only for git inputs: the branch to follow (NULL = the remote's default).
  branch    text CHECK (branch IS NULL OR branch !~ '^-'),
  PRIMARY KEY (jobset_id, name)
);

CREATE TABLE evaluations (
  id                   bigserial PRIMARY KEY,
  jobset_id            bigint NOT NULL,
  project_id           bigint NOT NULL,
  status               text NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'unchanged')),
  -- Progress while it runs.
  phase                text CHECK (phase IN ('fetching', 'evaluating', 'recording')),
  jobs_evaluated       integer NOT NULL DEFAULT 0,
  forced               boolean NOT NULL DEFAULT false,
  -- The pg-boss job that runs it: a retry of the same job reuses this row.
  queue_job_id         text UNIQUE,
  revision             text,
  input_revisions      jsonb NOT NULL DEFAULT '{}',
  inputs_hash          text,
  flake_url            text,
  has_new_builds       boolean NOT NULL DEFAULT false,
  nr_builds            integer NOT NULL DEFAULT 0,
  nr_new_builds        integer NOT NULL DEFAULT 0,
  checkout_duration_ms integer,
  eval_duration_ms     integer,
  error                text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  started_at           timestamptz,
  finished_at          timestamptz,
  FOREIGN KEY (jobset_id, project_id) REFERENCES jobsets (id, project_id) ON DELETE CASCADE
);
CREATE INDEX evaluations_jobset_idx ON evaluations (jobset_id, id DESC);
CREATE INDEX evaluations_project_idx ON evaluations (project_id, id DESC);
CREATE INDEX evaluations_succeeded_hash_idx ON evaluations (jobset_id, id DESC)
  WHERE status IN ('succeeded', 'unchanged');

-- Per-job evaluation errors, verbatim from Nix.
CREATE TABLE evaluation_errors (
  evaluation_id bigint NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  job           text NOT NULL,
  message       text NOT NULL,
  PRIMARY KEY (evaluation_id, job)
);

CREATE TABLE builds (
  id               bigserial PRIMARY KEY,
  project_id       bigint NOT NULL,
  jobset_id        bigint NOT NULL,
  -- The evaluation that created it; evaluation_builds holds every evaluation it belongs to.
  evaluation_id    bigint REFERENCES evaluations (id) ON DELETE SET NULL,
  job              text NOT NULL CHECK (length(job) > 0),
  nix_name         text,
  drv_path         text NOT NULL CHECK (drv_path LIKE '/%.drv'),
  system           text NOT NULL,
  description      text,
  license          text,
  homepage         text,
  maintainers      text,
  -- meta.schedulingPriority (higher first); global_priority is raised by "bump".
  priority         integer NOT NULL DEFAULT 100,
  global_priority  integer NOT NULL DEFAULT 0,
  timeout          integer NOT NULL DEFAULT 36000 CHECK (timeout > 0),
  max_silent       integer NOT NULL DEFAULT 3600 CHECK (max_silent > 0),
  required_features text[] NOT NULL DEFAULT '{}',
  is_aggregate     boolean NOT NULL DEFAULT false,
  is_channel       boolean NOT NULL DEFAULT false,
  finished         boolean NOT NULL DEFAULT false,
  build_status     smallint CHECK (build_status IN (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)),
  is_cached        boolean NOT NULL DEFAULT false,
  keep             boolean NOT NULL DEFAULT false,
  release_name     text,
  error_message    text,
  -- The pg-boss job that builds it, and how many times it was tried.
  queue_job_id     text,
  attempts         integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  stopped_at       timestamptz,
  size             bigint,
  closure_size     bigint,
  log_path         text,
  log_size         bigint,
  CHECK (finished = (build_status IS NOT NULL)),
  FOREIGN KEY (jobset_id, project_id) REFERENCES jobsets (id, project_id) ON DELETE CASCADE
);
CREATE INDEX builds_jobset_idx ON builds (jobset_id, id DESC);
CREATE INDEX builds_project_idx ON builds (project_id, id DESC);
CREATE INDEX builds_evaluation_idx ON builds (evaluation_id);
CREATE INDEX builds_job_idx ON builds (jobset_id, job, id DESC);
CREATE INDEX builds_job_name_idx ON builds (job, id DESC);
CREATE INDEX builds_system_idx ON builds (system, id DESC);
CREATE INDEX builds_status_idx ON builds (build_status, id DESC);
CREATE INDEX builds_drv_path_idx ON builds (drv_path);
CREATE INDEX builds_unfinished_idx ON builds (id) WHERE NOT finished;
CREATE INDEX builds_stopped_idx ON builds (stopped_at DESC) WHERE finished;

CREATE TABLE evaluation_builds (
  evaluation_id bigint NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
  build_id      bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  -- true when this evaluation created the build (false: reused from an earlier evaluation).
  is_new        boolean NOT NULL DEFAULT true,
  PRIMARY KEY (evaluation_id, build_id)
);
CREATE INDEX evaluation_builds_build_idx ON evaluation_builds (build_id);

CREATE TABLE build_outputs (
  build_id     bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  name         text NOT NULL,
  path         text NOT NULL CHECK (path LIKE '/%'),
  nar_size     bigint,
  closure_size bigint,
  PRIMARY KEY (build_id, name)
);
CREATE INDEX build_outputs_path_idx ON build_outputs (path);

CREATE TABLE build_steps (
  build_id      bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  step_nr       integer NOT NULL CHECK (step_nr > 0),
  -- 0 build, 1 substitution (Hydra's step types)
  type          smallint NOT NULL DEFAULT 0 CHECK (type IN (0, 1)),
  drv_path      text,
  system        text,
  busy          boolean NOT NULL DEFAULT true,
  status        smallint CHECK (status IN (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)),
  error_message text,
  machine       text NOT NULL DEFAULT '',
  propagated_from bigint REFERENCES builds (id) ON DELETE SET NULL,
  log_path      text,
  start_time    timestamptz,
  stop_time     timestamptz,
  PRIMARY KEY (build_id, step_nr)
);
CREATE INDEX build_steps_drv_path_idx ON build_steps (drv_path);

CREATE TABLE build_step_outputs (
  build_id bigint NOT NULL,
  step_nr  integer NOT NULL,
  name     text NOT NULL,
  path     text,
  PRIMARY KEY (build_id, step_nr, name),
  FOREIGN KEY (build_id, step_nr) REFERENCES build_steps (build_id, step_nr) ON DELETE CASCADE
);

CREATE TABLE build_products (
  build_id     bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  product_nr   integer NOT NULL CHECK (product_nr > 0),
  type         text NOT NULL,
  subtype      text NOT NULL DEFAULT '',
  file_size    bigint,
  sha256       text,
  path         text NOT NULL,
  name         text NOT NULL,
  default_path text,
  PRIMARY KEY (build_id, product_nr)
);

CREATE TABLE build_metrics (
  build_id   bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  name       text NOT NULL,
  unit       text,
  value      double precision NOT NULL,
  -- Denormalised for per-job metric history.
  project_id bigint NOT NULL,
  jobset_id  bigint NOT NULL,
  job        text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (build_id, name)
);
CREATE INDEX build_metrics_job_idx ON build_metrics (jobset_id, job, name, recorded_at DESC);

CREATE TABLE aggregate_constituents (
  aggregate_id   bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  constituent_id bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  PRIMARY KEY (aggregate_id, constituent_id),
  CHECK (aggregate_id <> constituent_id)
);
CREATE INDEX aggregate_constituents_constituent_idx ON aggregate_constituents (constituent_id);

-- Hydra's cached failures: output paths known to have failed to build.
CREATE TABLE failed_paths (
  path       text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
  id            bigserial PRIMARY KEY,
  jobset_id     bigint NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  evaluation_id bigint REFERENCES evaluations (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (jobset_id, name)
);

CREATE TABLE starred_jobs (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  jobset_id  bigint NOT NULL REFERENCES jobsets (id) ON DELETE CASCADE,
  job        text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, jobset_id, job)
);

CREATE TABLE remote_builders (
  id                 bigserial PRIMARY KEY,
  name               text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
  uri                text NOT NULL UNIQUE CHECK (length(uri) > 0),
  systems            text[] NOT NULL CHECK (cardinality(systems) > 0),
  max_jobs           integer NOT NULL DEFAULT 1 CHECK (max_jobs > 0),
  speed_factor       double precision NOT NULL DEFAULT 1 CHECK (speed_factor > 0),
  supported_features text[] NOT NULL DEFAULT '{}',
  mandatory_features text[] NOT NULL DEFAULT '{}',
  ssh_key_file       text,
  public_host_key    text,
  enabled            boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_deliveries (
  id           bigserial PRIMARY KEY,
  build_id     bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('webhook', 'run_command', 'github_status', 'gitea_status')),
  target       text NOT NULL DEFAULT '',
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX notification_deliveries_build_idx ON notification_deliveries (build_id);
CREATE INDEX notification_deliveries_pending_idx ON notification_deliveries (id) WHERE status = 'pending';
