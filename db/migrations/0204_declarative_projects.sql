-- Hydra's declarative projects. A project whose declarative_file is set keeps its jobsets in a JSON
-- spec inside an input (Hydra's declfile/decltype/declvalue): the hidden jobset ".jobsets" is
-- configured from that file before each of its evaluations, and the output of its job "jobsets" (a
-- JSON object of jobset specs) creates, updates, and disables + hides the project's jobsets.
-- declarative_file existed unused since 0001; this adds the input it lives in and what was applied.

-- The input holding the spec: a git repository (declarative_value = its URL, NULL = the project's
-- repository_url; declarative_branch NULL = the remote's default) or a local directory (an absolute
-- path). The file is a relative path inside that input.
ALTER TABLE projects
  ADD COLUMN declarative_type   text CHECK (declarative_type IN ('git', 'path')),
  ADD COLUMN declarative_value  text CHECK (declarative_value IS NULL OR declarative_value !~ '^-'),
  ADD COLUMN declarative_branch text CHECK (declarative_branch IS NULL OR declarative_branch !~ '^-'),
  -- The newest succeeded "jobsets" build whose spec was applied (or rejected, with the error on
  -- ".jobsets"): each build is applied once. Compared only, never joined, so not a foreign key (a
  -- build removed with its jobset must not block or reset anything).
  ADD COLUMN declarative_applied_build_id bigint;

-- Existing rows have no spec (declarative_file was never written), so these hold at once.
ALTER TABLE projects
  ADD CONSTRAINT projects_declarative_complete
    CHECK ((declarative_file IS NULL) = (declarative_type IS NULL)),
  ADD CONSTRAINT projects_declarative_file_relative
    CHECK (declarative_file IS NULL OR (declarative_file !~ '^[/-]' AND declarative_file !~ '(^|/)\.\.(/|$)')),
  ADD CONSTRAINT projects_declarative_path_absolute
    CHECK (declarative_type IS DISTINCT FROM 'path' OR declarative_value ~ '^/');

-- Hydra's nixexprinput: the input whose checkout holds nix_expression. NULL = the project's
-- repository (FC's own jobsets); a declarative spec names one of the jobset's git or path inputs.
ALTER TABLE jobsets
  ADD COLUMN nix_expression_input text
    CHECK (nix_expression_input IS NULL OR nix_expression_input ~ '^[A-Za-z_][A-Za-z0-9_\x27-]*$');
