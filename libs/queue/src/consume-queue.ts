// The one way FC consumes a queue: each job's payload parsed against the registry, the handler
// called once per job with what it needs of pg-boss's metadata, failures reported (attempt n of max)
// before pg-boss retries them.
import type { JobWithMetadata } from 'pg-boss';
import type { Boss } from './boss';
import { parsePayload, type JobPayload, type QueueName } from './job-registry';

export interface QueueJob<Q extends QueueName> {
  readonly id: string;
  readonly data: JobPayload<Q>;
  /** Attempts before this one. */
  readonly retryCount: number;
  readonly retryLimit: number;
  /** Aborted when pg-boss takes the job back (a lost heartbeat, a cancel). */
  readonly signal: AbortSignal;
}

export interface ConsumeOptions<Q extends QueueName> {
  readonly localConcurrency?: number;
  readonly batchSize?: number;
  readonly pollingIntervalSeconds: number;
  /** Polling interval while the queue's NOTIFY wakes the worker. */
  readonly notifyPollingIntervalSeconds?: number;
  /** Fetch again at once after each batch instead of sleeping out the polling interval. */
  readonly fetchAgainAtOnce?: boolean;
  /** Told of a job whose handler threw (before pg-boss retries it). */
  readonly onError?: (job: QueueJob<Q>, error: unknown) => void;
}

export interface QueueConsumer {
  readonly workerId: string;
  /** Takes no new job; with `wait`, resolves once the running ones have ended. */
  stop(options?: { wait?: boolean }): Promise<void>;
}

export async function consumeQueue<Q extends QueueName>(
  boss: Boss,
  queue: Q,
  options: ConsumeOptions<Q>,
  handler: (job: QueueJob<Q>) => Promise<void>,
): Promise<QueueConsumer> {
  // The handler can run before work() resolves; fetching again then just waits one poll.
  const self: { workerId?: string } = {};
  const handleBatch = async (jobs: JobWithMetadata<unknown>[]): Promise<void> => {
    try {
      for (const raw of jobs) {
        const job: QueueJob<Q> = {
          id: raw.id,
          data: parsePayload(queue, raw.data),
          retryCount: raw.retryCount,
          retryLimit: raw.retryLimit,
          signal: raw.signal,
        };
        try {
          await handler(job);
        } catch (e) {
          options.onError?.(job, e);
          throw e;
        }
      }
    } finally {
      if (options.fetchAgainAtOnce && self.workerId) boss.notifyWorker(self.workerId);
    }
  };
  self.workerId = await boss.work(
    queue,
    {
      localConcurrency: options.localConcurrency ?? 1,
      batchSize: options.batchSize ?? 1,
      includeMetadata: true,
      pollingIntervalSeconds: options.pollingIntervalSeconds,
      ...(options.notifyPollingIntervalSeconds === undefined
        ? {}
        : { notifyPollingIntervalSeconds: options.notifyPollingIntervalSeconds }),
    },
    handleBatch,
  );
  const workerId = self.workerId;
  return {
    workerId,
    stop: async (o = {}) => {
      await boss.offWork(queue, { id: workerId, wait: o.wait ?? false });
    },
  };
}
