-- Every input type Hydra has: build and eval (outputs of other jobsets' builds), and the version
-- control systems besides git (hg, svn, svn-checkout, bzr, bzr-checkout, darcs).
ALTER TABLE jobset_inputs DROP CONSTRAINT jobset_inputs_type_check;
ALTER TABLE jobset_inputs ADD CONSTRAINT jobset_inputs_type_check CHECK (type IN (
  'git', 'path', 'string', 'boolean', 'nix', 'build', 'eval',
  'hg', 'svn', 'svn-checkout', 'bzr', 'bzr-checkout', 'darcs'));
