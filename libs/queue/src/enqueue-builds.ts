// Enqueueing an evaluation's new builds in one statement: the evaluator assigns each build's job id
// up front (stored on the build row in the same bulk insert), then inserts every build-derivation
// job on the caller's transaction, so builds and jobs commit together.
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Queryable } from '@fc/db';
import { bossDb } from './boss';
import { buildJobPriority } from './build-priority';
import { QueueName, jobPayloadSchemas } from './job-registry';

/** A fresh id for a build's pg-boss job, to store on the row before the job exists. */
export function newBuildJobId(): string {
  return randomUUID();
}

/**
 * One notify-build job per build, inserted on the caller's transaction: builds recorded finished
 * without running (cached at evaluation) are reported like the ones the queue runner finishes.
 */
export async function enqueueFinishedNotifications(
  db: Queryable,
  boss: PgBoss,
  buildIds: readonly number[],
): Promise<void> {
  if (buildIds.length === 0) return;
  const schema = jobPayloadSchemas[QueueName.NotifyBuild];
  await boss.insert(
    QueueName.NotifyBuild,
    buildIds.map((buildId) => ({ data: schema.parse({ buildId, event: 'finished' }) })),
    { db: bossDb(db) },
  );
}

export async function enqueueBuilds(
  db: Queryable,
  boss: PgBoss,
  builds: readonly { id: number; queueJobId: string; priority: number; globalPriority: number }[],
): Promise<void> {
  if (builds.length === 0) return;
  const schema = jobPayloadSchemas[QueueName.BuildDerivation];
  await boss.insert(
    QueueName.BuildDerivation,
    builds.map((b) => ({
      id: b.queueJobId,
      data: schema.parse({ buildId: b.id }),
      priority: buildJobPriority(b.globalPriority, b.priority),
    })),
    { db: bossDb(db) },
  );
}
