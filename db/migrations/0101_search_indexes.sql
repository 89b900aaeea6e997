-- Search at a million builds: trigram indexes for substring search of job and package names, and
-- pattern-ops indexes for prefix search of store paths (the database's collation may not be "C",
-- so the plain b-tree indexes of 0001 cannot serve LIKE 'prefix%').
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX builds_job_trgm_idx ON builds USING gin (job gin_trgm_ops);
CREATE INDEX builds_nix_name_trgm_idx ON builds USING gin (nix_name gin_trgm_ops);
CREATE INDEX builds_drv_path_pattern_idx ON builds (drv_path text_pattern_ops);
CREATE INDEX build_outputs_path_pattern_idx ON build_outputs (path text_pattern_ops);
