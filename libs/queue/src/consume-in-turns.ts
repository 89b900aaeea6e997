// Consuming a queue whose next job is chosen per fetch: before each claim the caller names the
// turns to try (`FetchTurn`: one group's next job, or any job above a priority floor), and the first
// turn that yields a job wins. pg-boss's `work()` fixes its fetch options when it starts, so this loop
// fetches, keeps the claim alive (heartbeat) and settles the job itself, as `work()` would. Through a
// database outage the claim is kept: a heartbeat that cannot reach the database says nothing about
// the claim (only one that reaches it and finds the job gone, retried or settled elsewhere, aborts
// the handler), the heartbeat goes on until the job is settled, and the settle waits for the database.
//
// Claims are made one at a time across every consumer of the queue, on every machine: the turns are
// read and tried in one transaction holding an advisory lock on the queue, so each claim's turns see
// every claim committed before it. Without it, claims made at the same moment (two runners, or two
// slots of one) read the same state and all went to the same group, whatever the shares said.
import { untilDatabaseAnswers, withTransaction, type Pool, type Queryable } from '@fc/db';
import { bossDb, type Boss } from './boss';
import { fetchGroupJob, type ClaimedJob } from './group-fetch';
import { parsePayload, type QueueName } from './job-registry';
import type { ConsumeOptions, QueueConsumer, QueueJob } from './consume-queue';

/** One fetch: the next job of `group` (group-fetch.ts), or pg-boss's next job of at least `minPriority`. */
export type FetchTurn = { readonly group: string } | { readonly minPriority?: number };

/** The transaction-scoped advisory lock each claim of `$1`'s jobs holds while it reads its turns and fetches. */
export const CLAIM_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('fc-claim:' || $1))`;

type TurnsOptions<Q extends QueueName> = Pick<ConsumeOptions<Q>, 'localConcurrency' | 'onError'> & {
  /** Where each claim's transaction runs (a connection per slot while it claims). */
  readonly pool: Pool;
  readonly pollingIntervalSeconds: number;
  /** Told of a failed fetch or settle (the loop goes on after a poll). */
  readonly onLoopError?: (error: unknown) => void;
};

/** A consumer whose idle slots can be woken at once (new jobs announced) instead of at the next poll. */
export interface TurnsConsumer extends QueueConsumer {
  wake(): void;
}

export function consumeQueueInTurns<Q extends QueueName>(
  boss: Boss,
  queue: Q,
  options: TurnsOptions<Q>,
  /** The turns to try, read inside the claim's transaction (`db`). */
  nextTurns: (db: Queryable) => Promise<readonly FetchTurn[]>,
  handler: (job: QueueJob<Q>) => Promise<void>,
): TurnsConsumer {
  const workerId = `${queue}-turns-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let stopped = false;
  // A stopping consumer waits for no database to settle its jobs: pg-boss retries one left unsettled.
  const stopping = new AbortController();
  const wakers = new Set<() => void>();
  const pause = (seconds: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      wakers.add(done);
    });

  const fetchTurn = async (tx: Queryable, turn: FetchTurn): Promise<ClaimedJob | undefined> => {
    if ('group' in turn) return fetchGroupJob(bossDb(tx), queue, turn.group);
    // pg-boss's own fetch, on its own connection: committed at once, so seen by the next claim too.
    const [job] = await boss.fetch(queue, {
      batchSize: 1,
      includeMetadata: true,
      ...(turn.minPriority === undefined ? {} : { minPriority: turn.minPriority }),
    });
    return job;
  };

  const claim = (): Promise<ClaimedJob | undefined> =>
    withTransaction(options.pool, async (tx) => {
      await tx.query(CLAIM_LOCK_SQL, [queue]);
      for (const turn of await nextTurns(tx)) {
        const job = await fetchTurn(tx, turn);
        if (job) return job;
      }
      return undefined;
    });

  const runOne = async (raw: ClaimedJob): Promise<void> => {
    const abort = new AbortController();
    const heartbeatSeconds = raw.heartbeatSeconds ?? 0;
    const heartbeat =
      heartbeatSeconds > 0
        ? setInterval(
            () => {
              // Reached and found gone (retried or settled elsewhere): the claim is lost. Not reached
              // (the database does not answer): nothing is known, the handler goes on.
              boss
                .touch(queue, { id: raw.id, retryCount: raw.retryCount })
                .then((r) => {
                  if ((r as { affected?: number }).affected === 0)
                    abort.abort(new Error('the job is no longer claimed'));
                })
                .catch(() => undefined);
            },
            (heartbeatSeconds * 1000) / 2,
          )
        : undefined;
    const job: QueueJob<Q> = {
      id: raw.id,
      data: parsePayload(queue, raw.data),
      retryCount: raw.retryCount,
      retryLimit: raw.retryLimit,
      signal: abort.signal,
    };
    const attempt = { id: raw.id, retryCount: raw.retryCount };
    const settle = (fn: () => Promise<unknown>) => untilDatabaseAnswers(fn, { signal: stopping.signal });
    try {
      let failure: unknown;
      try {
        await handler(job);
      } catch (e) {
        failure = e;
      }
      if (failure === undefined) await settle(() => boss.complete(queue, attempt));
      else {
        options.onError?.(job, failure);
        await settle(() => boss.fail(queue, attempt, { message: (failure as Error).message }));
      }
    } finally {
      if (heartbeat) clearInterval(heartbeat);
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      let job: ClaimedJob | undefined;
      try {
        job = await claim();
        if (job) await runOne(job);
      } catch (e) {
        options.onLoopError?.(e);
        job = undefined;
      }
      if (!job && !stopped) await pause(options.pollingIntervalSeconds);
    }
  };
  const loops = Array.from({ length: options.localConcurrency ?? 1 }, () => loop());

  return {
    workerId,
    wake: () => {
      for (const wake of [...wakers]) wake();
    },
    stop: async (o = {}) => {
      stopped = true;
      stopping.abort();
      for (const wake of [...wakers]) wake();
      if (o.wait) await Promise.all(loops);
    },
  };
}
