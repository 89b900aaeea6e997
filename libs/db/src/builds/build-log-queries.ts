// Build logs stored in the database: a header row a log (step 0 is the build's own log, n the log of
// step n) and its bytes in chunks the queue runner appends while the build runs (migration 0900).
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows } from '../sql';

/** The step number of a build's own log. */
export const BUILD_LOG_STEP = 0;

export type LogChunkEncoding = 'zstd' | 'identity';

/**
 * Starts a build's logs afresh for a new attempt: what an earlier attempt wrote (its build log and
 * step logs) is dropped, and an empty, unfinished build log is written by `writer`.
 */
export async function startBuildLogs(db: Queryable, buildId: number, writer: string): Promise<void> {
  // Two statements: a data-modifying CTE and the upsert would see the same snapshot, so the upsert
  // kept the build log's row and its old chunks (a retried attempt then collided at offset 0).
  await execute(db, 'DELETE FROM build_logs WHERE build_id = $1', [buildId]);
  await execute(
    db,
    `INSERT INTO build_logs (build_id, step_nr, writer) VALUES ($1, 0, $2)
     ON CONFLICT (build_id, step_nr) DO UPDATE SET size = 0, finished = false, writer = EXCLUDED.writer,
       started_at = now()`,
    [buildId, writer],
  );
}

/** Starts the (empty, unfinished) log of one build step. */
export async function startStepLog(
  db: Queryable,
  buildId: number,
  stepNr: number,
  writer: string,
): Promise<void> {
  await execute(
    db,
    `WITH dropped AS (DELETE FROM build_log_chunks WHERE build_id = $1 AND step_nr = $2)
     INSERT INTO build_logs (build_id, step_nr, writer) VALUES ($1, $2, $3)
     ON CONFLICT (build_id, step_nr) DO UPDATE SET size = 0, finished = false, writer = EXCLUDED.writer,
       started_at = now()`,
    [buildId, stepNr, writer],
  );
}

export interface LogChunkInput {
  readonly buildId: number;
  readonly stepNr: number;
  /** Who appends it: the writer the log was started by (startBuildLogs, startStepLog). */
  readonly writer: string;
  readonly startOffset: number;
  readonly length: number;
  readonly encoding: LogChunkEncoding;
  readonly data: Buffer;
}

/**
 * Appends a chunk at the log's end and moves its size past it, in one statement; `finish` closes the
 * log. Only the log's writer appends, and only where the log ends now: a chunk that does not follow
 * (another attempt started the log again meanwhile) is not stored, and false says so. So two writers
 * of one log never store a chunk at the same offset, and a stale one never writes into a newer log.
 */
export async function appendLogChunk(db: Queryable, c: LogChunkInput, finish: boolean): Promise<boolean> {
  const stored = await execute(
    db,
    `WITH head AS (
       UPDATE build_logs SET size = $3 + $4, finished = finished OR $7
       WHERE build_id = $1 AND step_nr = $2 AND writer = $8 AND size = $3 AND NOT finished
       RETURNING build_id)
     INSERT INTO build_log_chunks (build_id, step_nr, start_offset, length, encoding, data)
     SELECT $1, $2, $3, $4, $5, $6 FROM head`,
    [c.buildId, c.stepNr, c.startOffset, c.length, c.encoding, c.data, finish, c.writer],
  );
  return stored === 1;
}

/** Closes a log: no more bytes come. */
export async function finishLog(db: Queryable, buildId: number, stepNr: number): Promise<void> {
  await execute(db, 'UPDATE build_logs SET finished = true WHERE build_id = $1 AND step_nr = $2', [
    buildId,
    stepNr,
  ]);
}

const logHeaderRow = z.object({
  size: z.coerce.number(),
  finished: z.boolean(),
  buildFinished: z.boolean(),
  writer: z.string(),
});
export type LogHeaderRow = z.output<typeof logHeaderRow>;

/** A log's size and whether more may come (its writer closed it, or its build has finished). */
export async function findLogHeader(
  db: Queryable,
  buildId: number,
  stepNr: number,
): Promise<LogHeaderRow | undefined> {
  return queryMaybeOne(
    db,
    logHeaderRow,
    `SELECT l.size, l.finished, b.finished AS build_finished, l.writer
     FROM build_logs l JOIN builds b ON b.id = l.build_id WHERE l.build_id = $1 AND l.step_nr = $2`,
    [buildId, stepNr],
  );
}

const logChunkRow = z.object({
  startOffset: z.coerce.number(),
  length: z.number(),
  encoding: z.enum(['zstd', 'identity']),
  data: z.instanceof(Buffer),
});
export type LogChunkRow = z.output<typeof logChunkRow>;

/** Up to `limit` chunks of a log holding bytes at or after `offset`, in order. */
export async function listLogChunks(
  db: Queryable,
  buildId: number,
  stepNr: number,
  offset: number,
  limit: number,
): Promise<LogChunkRow[]> {
  return queryRows(
    db,
    logChunkRow,
    `SELECT start_offset, length, encoding, data FROM build_log_chunks
     WHERE build_id = $1 AND step_nr = $2 AND start_offset + length > $3
     ORDER BY start_offset LIMIT $4`,
    [buildId, stepNr, offset, limit],
  );
}

/** A stored log: a build's own (step 0) or one of its steps'. */
export interface LogLocation {
  readonly buildId: number;
  readonly stepNr: number;
}

/** Statuses of a finished build whose outputs exist. */
const WITH_OUTPUTS = `${BuildStatus.Succeeded}, ${BuildStatus.FailedWithOutput}`;

/** Whether build `b` (an alias) has a non-empty log: its own in the database, or a file of before 0900. */
const hasBuildLog = (b: string) =>
  `(${b}.log_path IS NOT NULL OR EXISTS (SELECT 1 FROM build_logs l
     WHERE l.build_id = ${b}.id AND l.step_nr = 0 AND l.size > 0))`;

const logLocationRow = z.object({ buildId: z.coerce.number(), stepNr: z.number() });

/**
 * The log that stands for a cached build's: for a build finished with outputs it did not build
 * (is_cached, 0 or 6) and no log of its own (or an empty one), the log of what produced its outputs —
 * the newest build of the same derivation that built it (its build log), else the newest step of
 * another build that built that derivation (the step's log). undefined for any other build, or when
 * nothing FC knows of built it (its outputs came from elsewhere).
 */
export async function findProducerLog(db: Queryable, buildId: number): Promise<LogLocation | undefined> {
  return queryMaybeOne(
    db,
    logLocationRow,
    `WITH c AS (
       SELECT b.id, b.drv_path FROM builds b
       WHERE b.id = $1 AND b.finished AND b.is_cached AND b.build_status IN (${WITH_OUTPUTS})
         AND NOT ${hasBuildLog('b')}
     )
     SELECT build_id, step_nr FROM (
       (SELECT p.id AS build_id, 0 AS step_nr, 0 AS preference
        FROM c JOIN builds p ON p.drv_path = c.drv_path AND p.id <> c.id
        WHERE p.finished AND NOT p.is_cached AND p.build_status IN (${WITH_OUTPUTS}) AND ${hasBuildLog('p')}
        ORDER BY p.id DESC LIMIT 1)
       UNION ALL
       (SELECT s.build_id, s.step_nr, 1
        FROM c JOIN build_steps s ON s.drv_path = c.drv_path AND s.build_id <> c.id
        WHERE s.type = 0 AND s.status = ${BuildStatus.Succeeded}
          AND (s.log_path IS NOT NULL OR EXISTS (SELECT 1 FROM build_logs l
               WHERE l.build_id = s.build_id AND l.step_nr = s.step_nr AND l.size > 0))
        ORDER BY s.build_id DESC LIMIT 1)
     ) producers ORDER BY preference LIMIT 1`,
    [buildId],
  );
}
