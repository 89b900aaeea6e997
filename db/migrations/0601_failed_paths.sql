-- Hydra's failed-paths cache, now used: the outputs of a derivation whose build failed. A later build
-- that needs that derivation does not build it again (its step gets status 8, cached failure) until a
-- restart of a build that needs it clears the entry. The table existed unused; it gains the
-- derivation (a restart clears the entries of the derivations its build's steps built) and the build
-- that failed.
ALTER TABLE failed_paths
  ADD COLUMN drv_path text NOT NULL DEFAULT '',
  ADD COLUMN build_id bigint REFERENCES builds (id) ON DELETE SET NULL;
ALTER TABLE failed_paths ALTER COLUMN drv_path DROP DEFAULT;
CREATE INDEX failed_paths_drv_path_idx ON failed_paths (drv_path);
