-- Hydra's githubpulls and giteapulls inputs: the JSON of a repository's open pull requests.
ALTER TABLE jobset_inputs DROP CONSTRAINT jobset_inputs_type_check;
ALTER TABLE jobset_inputs ADD CONSTRAINT jobset_inputs_type_check CHECK (type IN (
  'git', 'path', 'string', 'boolean', 'nix', 'build', 'eval',
  'hg', 'svn', 'svn-checkout', 'bzr', 'bzr-checkout', 'darcs', 'githubpulls', 'giteapulls'));
