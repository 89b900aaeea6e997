// One job's builds by Hydra's names (project, jobset, job): its latest builds with their durations
// and sizes (the job page and its chart), and its latest successful build (/job/.../latest).
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows, idRow } from '../sql';

export const jobBuildRow = z.object({
  id: z.number(),
  projectName: z.string(),
  jobsetName: z.string(),
  job: z.string(),
  nixName: z.string().nullable(),
  system: z.string(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  size: z.number().nullable(),
  closureSize: z.number().nullable(),
});
export type JobBuildRow = z.output<typeof jobBuildRow>;

const SELECT = `SELECT b.id, p.name AS project_name, j.name AS jobset_name, b.job, b.nix_name, b.system, b.finished,
    b.build_status, b.created_at, b.started_at, b.stopped_at, b.size, b.closure_size
  FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id
  WHERE p.name = $1 AND j.name = $2 AND b.job = $3`;

/** The job's newest `limit` builds, newest first (the jobset/job/id index). */
export async function listJobBuilds(
  db: Queryable,
  project: string,
  jobset: string,
  job: string,
  limit: number,
): Promise<JobBuildRow[]> {
  return queryRows(db, jobBuildRow, `${SELECT} ORDER BY b.id DESC LIMIT $4`, [project, jobset, job, limit]);
}

/** Which successful build Hydra's /job/.../latest, latest-for/{system} and latest-finished mean. */
export interface LatestBuildFilter {
  /** Only builds for this system (latest-for). */
  readonly system?: string;
  /** Only builds of an evaluation none of whose builds is unfinished (latest-finished). */
  readonly inFinishedEvaluation?: boolean;
}

/** The job's newest successful build that meets the filter (Hydra's "latest" redirects). */
export async function latestSucceededJobBuild(
  db: Queryable,
  project: string,
  jobset: string,
  job: string,
  filter: LatestBuildFilter = {},
): Promise<number | undefined> {
  const values: unknown[] = [project, jobset, job];
  let where = ` AND b.build_status = ${BuildStatus.Succeeded}`;
  if (filter.system !== undefined) {
    values.push(filter.system);
    where += ` AND b.system = $${values.length}`;
  }
  if (filter.inFinishedEvaluation) {
    where += ` AND EXISTS (
      SELECT 1 FROM evaluation_builds m WHERE m.build_id = b.id AND NOT EXISTS (
        SELECT 1 FROM evaluation_builds m2 JOIN builds b2 ON b2.id = m2.build_id
        WHERE m2.evaluation_id = m.evaluation_id AND NOT b2.finished))`;
  }
  const row = await queryMaybeOne(
    db,
    idRow,
    `SELECT id FROM (${SELECT}${where} ORDER BY b.id DESC LIMIT 1) x`,
    values,
  );
  return row?.id;
}

/** Whether the jobset exists (a job page of an unknown jobset is a 404, of a job with no builds is not). */
export async function jobsetExistsByName(db: Queryable, project: string, jobset: string): Promise<boolean> {
  const row = await queryMaybeOne(
    db,
    idRow,
    'SELECT j.id FROM jobsets j JOIN projects p ON p.id = j.project_id WHERE p.name = $1 AND j.name = $2',
    [project, jobset],
  );
  return row !== undefined;
}
