-- A pull request's jobset evaluates exactly the head commit its last webhook named (NULL = the tip
-- of the branch, as every other jobset).
ALTER TABLE jobsets
  ADD COLUMN pinned_revision text CHECK (pinned_revision IS NULL OR pinned_revision ~ '^[0-9a-f]{40}([0-9a-f]{24})?$');
