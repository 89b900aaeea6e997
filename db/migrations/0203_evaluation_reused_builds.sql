-- An evaluation's builds without a membership row per new build.
-- Every build already names the evaluation that created it (builds.evaluation_id), so a row per new
-- build in evaluation_builds repeated it, and cost an evaluation's recording a second heap row, two
-- index entries and two foreign-key checks per build: about 45% of the bulk insert at 10,000 builds
-- (bench/evaluator.bench.ts). The table now holds only the builds an evaluation reused from an
-- earlier one (Hydra's isNew = 0), and the view evaluation_builds gives the whole membership with
-- is_new, as the table did, for every reader.
UPDATE builds b SET evaluation_id = eb.evaluation_id
FROM evaluation_builds eb
WHERE eb.build_id = b.id AND eb.is_new AND b.evaluation_id IS NULL;

DELETE FROM evaluation_builds eb USING builds b
WHERE b.id = eb.build_id AND b.evaluation_id = eb.evaluation_id;

ALTER TABLE evaluation_builds RENAME TO evaluation_reused_builds;
ALTER TABLE evaluation_reused_builds DROP COLUMN is_new;
ALTER INDEX evaluation_builds_pkey RENAME TO evaluation_reused_builds_pkey;
ALTER INDEX evaluation_builds_build_idx RENAME TO evaluation_reused_builds_build_idx;
ALTER TABLE evaluation_reused_builds
  RENAME CONSTRAINT evaluation_builds_build_id_fkey TO evaluation_reused_builds_build_id_fkey;
ALTER TABLE evaluation_reused_builds
  RENAME CONSTRAINT evaluation_builds_evaluation_id_fkey TO evaluation_reused_builds_evaluation_id_fkey;

CREATE VIEW evaluation_builds AS
  SELECT evaluation_id, id AS build_id, true AS is_new FROM builds WHERE evaluation_id IS NOT NULL
  UNION ALL
  SELECT evaluation_id, build_id, false AS is_new FROM evaluation_reused_builds;
