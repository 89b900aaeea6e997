-- Pull requests: a project that builds them gets one jobset per open pull request ("pr-<number>"),
-- copied from its template jobset with the repository at the pull request's head.
ALTER TABLE projects
  ADD COLUMN build_pull_requests boolean NOT NULL DEFAULT false,
  -- The jobset pull-request jobsets are copied from; NULL = the oldest jobset that is not one.
  ADD COLUMN pull_request_template_jobset text
    CHECK (pull_request_template_jobset IS NULL OR pull_request_template_jobset ~ '^[A-Za-z0-9._-]{1,64}$'),
  -- Forge logins whose pull requests (from forks too) are evaluated without approval.
  ADD COLUMN pull_request_trusted_users text[] NOT NULL DEFAULT '{}';

-- A pull request's jobset fetches the head repository instead of the project's (NULL = the project's).
ALTER TABLE jobsets
  ADD COLUMN repository_url text CHECK (repository_url IS NULL OR length(repository_url) > 0);

-- Each pull request the forge told FC about, as last told.
CREATE TABLE pull_requests (
  project_id          bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  number              integer NOT NULL CHECK (number > 0),
  forge               text NOT NULL CHECK (forge IN ('github', 'gitea')),
  author              text NOT NULL,
  title               text,
  head_repository_url text NOT NULL,
  head_branch         text NOT NULL,
  head_sha            text NOT NULL,
  state               text NOT NULL CHECK (state IN ('open', 'closed')),
  -- An untrusted author's pull request is evaluated only once approved (for every later head too).
  approved_at         timestamptz,
  jobset_id           bigint REFERENCES jobsets (id) ON DELETE SET NULL,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, number)
);
