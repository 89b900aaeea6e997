// What Hydra's `build` and `eval` inputs read: the newest succeeded build of a job, and the
// outputs of a jobset's newest evaluation whose builds have all finished.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows } from '../sql';

const inputBuildRow = z.object({
  id: z.number(),
  nixName: z.string().nullable(),
  releaseName: z.string().nullable(),
  drvPath: z.string(),
  outputName: z.string(),
  outputPath: z.string(),
});
export type InputBuildRow = z.output<typeof inputBuildRow>;

/** The newest finished, succeeded build of `project:jobset:job` with its main output ("out", else the first). */
export async function latestSucceededBuild(
  db: Queryable,
  job: { readonly project: string; readonly jobset: string; readonly job: string },
): Promise<InputBuildRow | undefined> {
  return queryMaybeOne(
    db,
    inputBuildRow,
    `SELECT b.id, b.nix_name, b.release_name, b.drv_path, o.name AS output_name, o.path AS output_path
     FROM builds b
     JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id
     JOIN LATERAL (SELECT name, path FROM build_outputs WHERE build_id = b.id
                   ORDER BY name <> 'out', name LIMIT 1) o ON true
     WHERE p.name = $1 AND j.name = $2 AND b.job = $3 AND b.finished AND b.build_status = ${BuildStatus.Succeeded}
     ORDER BY b.id DESC LIMIT 1`,
    [job.project, job.jobset, job.job],
  );
}

/** Build `id` with its main output, whatever its status (Hydra's build input given a build id). */
export async function buildWithMainOutput(db: Queryable, id: number): Promise<InputBuildRow | undefined> {
  return queryMaybeOne(
    db,
    inputBuildRow,
    `SELECT b.id, b.nix_name, b.release_name, b.drv_path, o.name AS output_name, o.path AS output_path
     FROM builds b
     JOIN LATERAL (SELECT name, path FROM build_outputs WHERE build_id = b.id
                   ORDER BY name <> 'out', name LIMIT 1) o ON true
     WHERE b.id = $1 AND b.finished`,
    [id],
  );
}

const evaluationOutputRow = z.object({ evaluationId: z.number(), job: z.string(), path: z.string() });

/** Which evaluation an `eval` input takes (Hydra's three forms). */
export type EvaluationSelector =
  | { readonly evaluationId: number }
  /** The newest succeeded evaluation with no unfinished build. */
  | { readonly project: string; readonly jobset: string; readonly job?: undefined }
  /** The newest such evaluation with new builds in which `job` succeeded. */
  | { readonly project: string; readonly jobset: string; readonly job: string };

const ALL_FINISHED = `NOT EXISTS (SELECT 1 FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
                         WHERE eb.evaluation_id = e.id AND NOT b.finished)`;

/**
 * The "out" outputs of the succeeded builds of the selected evaluation, by job name; undefined when
 * there is no such evaluation.
 */
export async function evaluationOutputs(
  db: Queryable,
  selector: EvaluationSelector,
): Promise<{ evaluationId: number; jobs: Record<string, string> } | undefined> {
  let chosen: string;
  let values: unknown[];
  if ('evaluationId' in selector) {
    chosen = `SELECT e.id FROM evaluations e WHERE e.id = $1`;
    values = [selector.evaluationId];
  } else {
    const ofJobset = `FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = j.project_id
       WHERE p.name = $1 AND j.name = $2 AND e.status = 'succeeded' AND ${ALL_FINISHED}`;
    if (selector.job === undefined) {
      chosen = `SELECT e.id ${ofJobset} ORDER BY e.id DESC LIMIT 1`;
      values = [selector.project, selector.jobset];
    } else {
      chosen = `SELECT e.id ${ofJobset} AND e.has_new_builds
         AND EXISTS (SELECT 1 FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
                     WHERE eb.evaluation_id = e.id AND b.job = $3 AND b.build_status = ${BuildStatus.Succeeded})
         ORDER BY e.id DESC LIMIT 1`;
      values = [selector.project, selector.jobset, selector.job];
    }
  }
  const rows = await queryRows(
    db,
    evaluationOutputRow,
    `WITH e AS (${chosen})
     SELECT e.id AS evaluation_id, b.job, o.path
     FROM e JOIN evaluation_builds eb ON eb.evaluation_id = e.id JOIN builds b ON b.id = eb.build_id
     JOIN build_outputs o ON o.build_id = b.id AND o.name = 'out'
     WHERE b.build_status = ${BuildStatus.Succeeded}
     UNION ALL SELECT e.id, '', '' FROM e
     ORDER BY 2`,
    values,
  );
  const first = rows[0];
  if (first === undefined) return undefined;
  const jobs: Record<string, string> = {};
  for (const r of rows) if (r.job !== '') jobs[r.job] = r.path;
  return { evaluationId: first.evaluationId, jobs };
}
