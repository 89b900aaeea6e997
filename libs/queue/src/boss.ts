// pg-boss wiring: one factory, the queue definitions, and an adapter so a job is sent inside the
// caller's transaction (a build row and its job commit together, or neither does).
import { PgBoss, type ConstructorOptions, type Db, type Queue, type SendOptions } from 'pg-boss';
import type { z } from 'zod';
import type { Queryable } from '@fc/db';
import { BOSS_SCHEMA } from './boss-schema';
import { ensureGroupFetchIndex } from './group-fetch';
import { retryingDeadlocks } from './deadlock-retry';
import { ALL_QUEUES, QueueName, jobPayloadSchemas, type JobInput } from './job-registry';

export type Boss = PgBoss;
export { BOSS_SCHEMA };

export interface BossOptions {
  readonly url: string;
  readonly maxConnections?: number;
  readonly instanceName?: string;
  /**
   * Let pg-boss's own timer run its maintenance (expiry, lost heartbeats, retention) in this instance.
   * FC's daemons leave it off and run superviseAfterOutages, which judges no heartbeat right after a
   * database outage.
   */
  readonly supervise?: boolean;
  readonly schedule?: boolean;
  /** Wake workers of notify-enabled queues (build-derivation) by LISTEN/NOTIFY instead of polling. */
  readonly useListenNotify?: boolean;
  /** seconds between a queue's expiry and lost-heartbeat checks (by any instance); pg-boss's default is 60. */
  readonly superviseIntervalSeconds?: number;
}

export function createBoss(options: BossOptions): PgBoss {
  const ctor: ConstructorOptions = {
    connectionString: options.url,
    schema: BOSS_SCHEMA,
    max: options.maxConnections ?? 4,
    supervise: options.supervise ?? false,
    schedule: options.schedule ?? false,
    migrate: true,
    ...(options.instanceName ? { instanceName: options.instanceName } : {}),
    ...(options.useListenNotify ? { useListenNotify: true } : {}),
    ...(options.superviseIntervalSeconds
      ? {
          superviseIntervalSeconds: options.superviseIntervalSeconds,
          monitorIntervalSeconds: options.superviseIntervalSeconds,
        }
      : {}),
  };
  return new PgBoss(ctor);
}

/**
 * seconds: a running build's job is refreshed twice as often; a queue runner that dies (SIGKILL, lost
 * machine) stops refreshing it, and pg-boss's supervisor hands the build to another runner.
 */
export const BUILD_HEARTBEAT_SECONDS = 10;

export interface QueueSettings {
  /** seconds: a build's job must outlive the longest build (queue_runner.build_timeout). */
  readonly buildExpireSeconds: number;
  readonly buildRetryLimit: number;
}

export function queueDefinitions(settings: QueueSettings): Record<QueueName, Omit<Queue, 'name'>> {
  return {
    [QueueName.EvaluateJobset]: {
      // At most one queued and one running evaluation per jobset (singletonKey = jobset id).
      policy: 'stately',
      retryLimit: 3,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: 4 * 3600,
    },
    [QueueName.BuildDerivation]: {
      policy: 'standard',
      retryLimit: settings.buildRetryLimit,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: settings.buildExpireSeconds,
      // A new build wakes an idle queue runner at once (the evaluation-to-first-build latency).
      notify: true,
      heartbeatSeconds: BUILD_HEARTBEAT_SECONDS,
    },
    [QueueName.NotifyBuild]: {
      policy: 'standard',
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
      expireInSeconds: 600,
    },
    [QueueName.NotifyEvaluation]: {
      policy: 'standard',
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
      expireInSeconds: 600,
    },
  };
}

/**
 * Creates or updates every FC queue, and the index of group claims. Idempotent; called by each daemon
 * at start, so daemons starting together may deadlock on the DDL: the victim runs it again.
 */
export async function ensureQueues(boss: PgBoss, settings: QueueSettings): Promise<void> {
  const defs = queueDefinitions(settings);
  await retryingDeadlocks(async () => {
    for (const name of ALL_QUEUES) {
      const def = defs[name];
      const existing = await boss.getQueue(name);
      if (existing) {
        // A queue's policy is fixed at creation; the rest follows the configuration.
        const { policy: _policy, retryDelayMax: _max, deadLetter: _dl, partition: _p, ...mutable } = def;
        await boss.updateQueue(name, mutable);
      } else await boss.createQueue(name, def);
    }
    await ensureGroupFetchIndex(boss.getDb());
  });
}

/** pg-boss's IDatabase over a connection the caller owns (pool or transaction client). */
export function bossDb(db: Queryable): Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = await db.query(text, values ?? []);
      return { rows: result.rows };
    },
  };
}

/**
 * Sends a job whose payload is checked against the registry. With `db`, the job is inserted on
 * that connection, so it commits or rolls back with the caller's transaction.
 * Returns the job id, or null when a singleton already holds the slot.
 */
export async function sendJob<Q extends QueueName>(
  boss: PgBoss,
  queue: Q,
  payload: JobInput<Q>,
  options: Omit<SendOptions, 'db'> & { db?: Queryable } = {},
): Promise<string | null> {
  const schema: z.ZodType = jobPayloadSchemas[queue];
  const data = schema.parse(payload) as object;
  const { db, ...rest } = options;
  return boss.send(queue, data, { ...rest, ...(db ? { db: bossDb(db) } : {}) });
}
