// Channels: a named pointer from a jobset to one of its evaluations.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, idRow } from '../sql';
import { page, WhereBuilder, type Page, type PageRequest } from '../pagination';

export const channelRow = z.object({
  id: z.number(),
  jobsetId: z.number(),
  projectId: z.number(),
  name: z.string(),
  evaluationId: z.number().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ChannelRow = z.output<typeof channelRow>;

const SELECT = `SELECT c.id, c.jobset_id, j.project_id, c.name, c.evaluation_id, c.created_at, c.updated_at
  FROM channels c JOIN jobsets j ON j.id = c.jobset_id`;

export async function insertChannel(db: Queryable, jobsetId: number, name: string): Promise<number> {
  const row = await queryOne(
    db,
    idRow,
    'INSERT INTO channels (jobset_id, name) VALUES ($1, $2) RETURNING id',
    [jobsetId, name],
  );
  return row.id;
}

export async function findChannel(db: Queryable, id: number): Promise<ChannelRow | undefined> {
  return queryMaybeOne(db, channelRow, `${SELECT} WHERE c.id = $1`, [id]);
}

export async function listChannels(
  db: Queryable,
  filter: { jobsetId?: number | undefined; projectId?: number | undefined },
  request: PageRequest,
): Promise<Page<ChannelRow>> {
  const w = new WhereBuilder();
  if (filter.jobsetId !== undefined) w.add(`c.jobset_id = ${w.param(filter.jobsetId)}`);
  if (filter.projectId !== undefined) w.add(`j.project_id = ${w.param(filter.projectId)}`);
  const n = w.values.length;
  const items = await queryRows(
    db,
    channelRow,
    `${SELECT} ${w.sql} ORDER BY c.id LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...w.values, request.limit, request.offset],
  );
  const { total } = await queryOne(
    db,
    z.object({ total: z.number() }),
    `SELECT count(*)::int AS total FROM channels c JOIN jobsets j ON j.id = c.jobset_id ${w.sql}`,
    w.values,
  );
  return page(items, total, request);
}

export async function deleteChannel(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM channels WHERE id = $1', [id])) === 1;
}

export async function setChannelEvaluation(db: Queryable, id: number, evaluationId: number): Promise<void> {
  await execute(db, 'UPDATE channels SET evaluation_id = $2, updated_at = now() WHERE id = $1', [
    id,
    evaluationId,
  ]);
}

export const channelOutputRow = z.object({
  buildId: z.number(),
  job: z.string(),
  name: z.string(),
  path: z.string(),
});
export type ChannelOutputRow = z.output<typeof channelOutputRow>;

/** The outputs of an evaluation's successful builds (status 0), by job and output name. */
export async function successfulOutputsOfEvaluation(
  db: Queryable,
  evaluationId: number,
): Promise<ChannelOutputRow[]> {
  return queryRows(
    db,
    channelOutputRow,
    `SELECT b.id AS build_id, b.job, o.name, o.path
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id JOIN build_outputs o ON o.build_id = b.id
     WHERE eb.evaluation_id = $1 AND b.build_status = ${BuildStatus.Succeeded}
     ORDER BY b.job, o.name`,
    [evaluationId],
  );
}
