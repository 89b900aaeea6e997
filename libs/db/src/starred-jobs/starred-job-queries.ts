// A user's starred jobs (a job is a name within a jobset).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows, idRow } from '../sql';

export const starredJobRow = z.object({
  id: z.number(),
  jobsetId: z.number(),
  jobsetName: z.string(),
  projectId: z.number(),
  projectName: z.string(),
  job: z.string(),
  createdAt: z.date(),
});
export type StarredJobRow = z.output<typeof starredJobRow>;

export async function listStarredJobs(db: Queryable, userId: number): Promise<StarredJobRow[]> {
  return queryRows(
    db,
    starredJobRow,
    `SELECT s.id, s.jobset_id, j.name AS jobset_name, j.project_id, p.name AS project_name, s.job, s.created_at
     FROM starred_jobs s JOIN jobsets j ON j.id = s.jobset_id JOIN projects p ON p.id = j.project_id
     WHERE s.user_id = $1 ORDER BY p.name, j.name, s.job`,
    [userId],
  );
}

/** Stars a job; its star's id, or undefined when it was starred before. */
export async function starJob(
  db: Queryable,
  userId: number,
  jobsetId: number,
  job: string,
): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    idRow,
    'INSERT INTO starred_jobs (user_id, jobset_id, job) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id',
    [userId, jobsetId, job],
  );
  return row?.id;
}

export async function unstarJob(
  db: Queryable,
  userId: number,
  jobsetId: number,
  job: string,
): Promise<boolean> {
  const n = await execute(db, 'DELETE FROM starred_jobs WHERE user_id = $1 AND jobset_id = $2 AND job = $3', [
    userId,
    jobsetId,
    job,
  ]);
  return n === 1;
}

/** Unstars by the star's id (the FC README's DELETE /me/starred-jobs/{id}); true when it was the user's. */
export async function unstarJobById(db: Queryable, userId: number, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM starred_jobs WHERE user_id = $1 AND id = $2', [userId, id])) === 1;
}
