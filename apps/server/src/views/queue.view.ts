// The queue inspection's response shapes and their mapping from rows.
import { z } from 'zod';
import { buildStatusName, isBuildStatusCode } from '@fc/core';
import type { FailedDeliveryRow } from '@fc/db';
import { INSPECTED_JOB_STATES, type BossWarningRow, type QueueJobRow } from '@fc/queue';
import type { QueueSummary } from '../services/queue-inspection.service';
import { iso, timestamp } from './common.view';

export const queueSummaryView = z
  .object({
    name: z.string(),
    policy: z.string(),
    retry_limit: z.number().int(),
    dead_letter: z.string().nullable(),
    counts: z.object({
      waiting: z.number().int().describe('created and due'),
      deferred: z.number().int().describe('created, due later'),
      retry: z.number().int().describe('failed an attempt, waiting for the next'),
      active: z.number().int(),
      failed: z.number().int().describe('out of attempts, kept until pg-boss deletes them'),
      completed_last_hour: z.number().int(),
      failed_last_day: z.number().int(),
      retained: z.number().int().describe("every job pg-boss keeps (its monitor's count, see counted_at)"),
    }),
    counted_at: timestamp.nullable(),
    oldest_waiting_at: timestamp.nullable(),
    oldest_waiting_seconds: z.number().int().nullable(),
    workers: z.array(z.string()).describe('Running daemons working this queue'),
    problems: z.array(z.string()),
  })
  .meta({ id: 'QueueSummary' });

export const queuesOverviewView = z.object({
  queues: z.array(queueSummaryView),
  warnings: z.array(z.object({ type: z.string(), message: z.string(), created_at: timestamp })),
  taken_at: timestamp,
});

export function toQueueSummaryView(q: QueueSummary, now: Date): z.output<typeof queueSummaryView> {
  return {
    name: q.name,
    policy: q.policy,
    retry_limit: q.retryLimit,
    dead_letter: q.deadLetter,
    counts: {
      waiting: q.waiting,
      deferred: q.deferred,
      retry: q.retrying,
      active: q.active,
      failed: q.failed,
      completed_last_hour: q.completedLastHour,
      failed_last_day: q.failedLastDay,
      retained: q.retained,
    },
    counted_at: iso(q.countedOn),
    oldest_waiting_at: iso(q.oldestWaitingAt),
    oldest_waiting_seconds:
      q.oldestWaitingAt === null
        ? null
        : Math.max(0, Math.round((now.getTime() - q.oldestWaitingAt.getTime()) / 1000)),
    workers: q.workers,
    problems: q.problems,
  };
}

export function toWarningView(w: BossWarningRow) {
  return { type: w.type, message: w.message, created_at: iso(w.createdOn) };
}

export const queueJobView = z
  .object({
    id: z.string(),
    queue: z.string(),
    state: z.enum(INSPECTED_JOB_STATES),
    about: z.string().describe('What the job is about, in words'),
    build: z
      .object({
        id: z.number().int(),
        job: z.string(),
        status: z.string(),
        project: z.string(),
        jobset: z.string(),
      })
      .nullable(),
    jobset: z.object({ id: z.number().int(), project: z.string(), name: z.string() }).nullable(),
    error: z.string().nullable().describe("The last attempt's error (pg-boss's output)"),
    retry_count: z.number().int(),
    retry_limit: z.number().int(),
    priority: z.number().int(),
    singleton_key: z.string().nullable(),
    group_id: z.string().nullable(),
    created_at: timestamp,
    start_after: timestamp,
    started_at: timestamp.nullable(),
    heartbeat_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    data: z.unknown(),
    output: z.unknown().describe("pg-boss's output: the handler's result, or the last attempt's error"),
  })
  .meta({ id: 'QueueJob' });
export type QueueJobView = z.output<typeof queueJobView>;

/** The error pg-boss kept for a failed attempt: a thrown Error is stored as {message, stack, ...}. */
export function jobError(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  if (typeof output === 'string') return output;
  if (typeof output === 'object' && 'message' in output && typeof output.message === 'string')
    return output.message;
  return JSON.stringify(output);
}

function statusOf(finished: boolean | null, code: number | null, startedAt: Date | null): string {
  if (finished && code !== null && !isBuildStatusCode(code)) return `status ${code}`;
  return buildStatusName(finished ?? false, code, startedAt);
}

export function toQueueJobView(j: QueueJobRow): QueueJobView {
  const build =
    j.buildId !== null
      ? {
          id: j.buildId,
          job: j.buildJob ?? '',
          status: statusOf(j.buildFinished, j.buildStatus, j.buildStartedAt),
          project: j.projectName ?? '',
          jobset: j.jobsetName ?? '',
        }
      : null;
  const jobset =
    j.jobsetId !== null ? { id: j.jobsetId, project: j.projectName ?? '', name: j.jobsetName ?? '' } : null;
  let about = 'nothing FC knows of any more';
  if (build) about = `build ${build.id} (${build.job}) of ${build.project}:${build.jobset}`;
  else if (jobset) about = `evaluation of ${jobset.project}:${jobset.name}`;
  return {
    id: j.id,
    queue: j.queue,
    state: j.state,
    about,
    build,
    jobset,
    error: jobError(j.output),
    retry_count: j.retryCount,
    retry_limit: j.retryLimit,
    priority: j.priority,
    singleton_key: j.singletonKey,
    group_id: j.groupId,
    created_at: iso(j.createdOn),
    start_after: iso(j.startAfter),
    started_at: iso(j.startedOn),
    heartbeat_at: iso(j.heartbeatOn),
    completed_at: iso(j.completedOn),
    data: j.data,
    output: j.output ?? null,
  };
}

export const failedDeliveryView = z
  .object({
    id: z.number().int(),
    build_id: z.number().int(),
    job: z.string(),
    project: z.string(),
    jobset: z.string(),
    build_status: z.string(),
    kind: z.string(),
    target: z.string(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    http_status: z.number().int().nullable(),
    exit_code: z.number().int().nullable(),
    last_attempt_at: timestamp.nullable(),
    retryable: z
      .boolean()
      .describe('False once the build has finished again (this reported an older finish)'),
  })
  .meta({ id: 'FailedDelivery' });

export function toFailedDeliveryView(d: FailedDeliveryRow): z.output<typeof failedDeliveryView> {
  return {
    id: d.id,
    build_id: d.buildId,
    job: d.job,
    project: d.projectName,
    jobset: d.jobsetName,
    build_status: statusOf(d.buildStatus !== null, d.buildStatus, null),
    kind: d.kind,
    target: d.target,
    attempts: d.attempts,
    error: d.lastError,
    http_status: d.httpStatus,
    exit_code: d.exitCode,
    last_attempt_at: iso(d.lastAttemptAt),
    retryable: d.current,
  };
}
