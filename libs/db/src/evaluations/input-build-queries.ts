// What Hydra's `build` and `eval` inputs read: the newest succeeded build of a job, and the
// outputs of a jobset's newest evaluation whose builds have all finished.
import { z } from 'zod';
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
     WHERE p.name = $1 AND j.name = $2 AND b.job = $3 AND b.finished AND b.build_status = 0
     ORDER BY b.id DESC LIMIT 1`,
    [job.project, job.jobset, job.job],
  );
}

const evaluationOutputRow = z.object({ evaluationId: z.number(), job: z.string(), path: z.string() });

/**
 * The "out" outputs of the succeeded builds of `project:jobset`'s newest succeeded evaluation with
 * no unfinished build (Hydra's latest finished evaluation); undefined when it has none.
 */
export async function latestFinishedEvaluationOutputs(
  db: Queryable,
  jobset: { readonly project: string; readonly jobset: string },
): Promise<{ evaluationId: number; jobs: Record<string, string> } | undefined> {
  const rows = await queryRows(
    db,
    evaluationOutputRow,
    `WITH e AS (
       SELECT e.id FROM evaluations e
       JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = j.project_id
       WHERE p.name = $1 AND j.name = $2 AND e.status = 'succeeded'
         AND NOT EXISTS (SELECT 1 FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
                         WHERE eb.evaluation_id = e.id AND NOT b.finished)
       ORDER BY e.id DESC LIMIT 1)
     SELECT e.id AS evaluation_id, b.job, o.path
     FROM e JOIN evaluation_builds eb ON eb.evaluation_id = e.id JOIN builds b ON b.id = eb.build_id
     JOIN build_outputs o ON o.build_id = b.id AND o.name = 'out'
     WHERE b.build_status = 0
     UNION ALL SELECT e.id, '', '' FROM e
     ORDER BY 2`,
    [jobset.project, jobset.jobset],
  );
  const first = rows[0];
  if (first === undefined) return undefined;
  const jobs: Record<string, string> = {};
  for (const r of rows) if (r.job !== '') jobs[r.job] = r.path;
  return { evaluationId: first.evaluationId, jobs };
}
