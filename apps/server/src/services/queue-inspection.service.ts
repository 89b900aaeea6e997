// The admin's queue inspection: every pg-boss queue with its jobs per state and its problems, the
// jobs of one state with the build or jobset they are about, retrying a failed job in FC's terms,
// and the notification deliveries that failed with their retry.
import { ConflictError, NotFoundError } from '@fc/core';
import {
  deliveryStatus,
  listFailedDeliveries,
  reopenFailedDelivery,
  withTransaction,
  type FailedDeliveryRow,
  type Pool,
} from '@fc/db';
import {
  ALL_QUEUES,
  bossWarnings,
  daemonInstances,
  findBuildQueueJob,
  findJobInQueues,
  findQueueJob,
  listQueueJobs,
  queueOverview,
  QueueName,
  sendJob,
  type Boss,
  type BossWarningRow,
  type InspectedJobState,
  type QueueJobRow,
  type QueueOverviewRow,
} from '@fc/queue';
import {
  NO_PENDING_NOTICES,
  cancelQueueJob,
  resumeCancelledJob,
  retryFailedJob,
  type BuildNotices,
  type CancelOutcome,
  type ResumeOutcome,
  type RetryOutcome,
} from '@fc/builds';
import { isDaemonAlive, queueProblems } from './queue-health';

export interface QueueSummary extends QueueOverviewRow {
  /** Running daemons with a worker on this queue ("fc-queue-runner on host", ...). */
  readonly workers: string[];
  readonly problems: string[];
}

export interface QueuesOverview {
  readonly queues: QueueSummary[];
  readonly warnings: BossWarningRow[];
  readonly takenAt: Date;
}

export interface QueueJobPage {
  readonly items: QueueJobRow[];
  /** Pass as `before` for the next (older) page; undefined on the last one. */
  readonly next: string | undefined;
}

export interface FailedDeliveryPage {
  readonly items: FailedDeliveryRow[];
  readonly next: number | undefined;
}

export class QueueInspectionService {
  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    /** Which notify-build jobs go with a restart (pending commit statuses). */
    private readonly notices: BuildNotices = NO_PENDING_NOTICES,
  ) {}

  async overview(): Promise<QueuesOverview> {
    const [rows, daemons, warnings] = await Promise.all([
      queueOverview(this.pool),
      daemonInstances(this.pool),
      bossWarnings(this.pool, 10),
    ]);
    const now = new Date();
    const alive = daemons.filter((d) => isDaemonAlive(d, now));
    const queues = rows.map((q) => {
      const workers = alive
        .filter((d) => d.queues.includes(q.name))
        .map((d) => `${d.name ?? 'unnamed'} on ${d.host} (pid ${d.pid})`);
      return { ...q, workers, problems: queueProblems(q, workers.length, now) };
    });
    return { queues, warnings, takenAt: now };
  }

  async jobs(queue: string, state: InspectedJobState, limit: number, before?: string): Promise<QueueJobPage> {
    this.assertQueue(queue);
    let cursor: { createdOn: Date; id: string } | undefined;
    if (before !== undefined) {
      const from = await findQueueJob(this.pool, queue, before);
      if (!from) throw new NotFoundError(`queue ${queue} has no job ${before} to page from`);
      cursor = { createdOn: from.createdOn, id: from.id };
    }
    const items = await listQueueJobs(this.pool, queue, state, limit + 1, cursor);
    const more = items.length > limit;
    if (more) items.pop();
    return { items, next: more ? items.at(-1)?.id : undefined };
  }

  async job(queue: string, id: string): Promise<QueueJobRow> {
    this.assertQueue(queue);
    const job = await findQueueJob(this.pool, queue, id);
    if (!job) throw new NotFoundError(`queue ${queue} has no job ${id}`);
    return job;
  }

  /**
   * The search box: a job id (in whichever queue holds it) or a build number (the job the build was
   * last queued with).
   */
  async find(query: string): Promise<QueueJobRow> {
    const q = query.trim().replace(/^#/, '');
    if (/^[1-9][0-9]{0,15}$/.test(q)) {
      const job = await findBuildQueueJob(this.pool, Number(q));
      if (!job) throw new NotFoundError(`build ${q} has no job in the build-derivation queue any more`);
      return job;
    }
    const job = await findJobInQueues(this.pool, ALL_QUEUES, q);
    if (!job) throw new NotFoundError(`no queue has a job "${q}" (search by job id or build number)`);
    return job;
  }

  async retry(queue: string, id: string): Promise<RetryOutcome> {
    this.assertQueue(queue);
    return withTransaction(this.pool, (tx) => retryFailedJob(tx, this.boss, queue, id, this.notices));
  }

  async resume(queue: string, id: string): Promise<ResumeOutcome> {
    this.assertQueue(queue);
    return withTransaction(this.pool, (tx) => resumeCancelledJob(tx, this.boss, queue, id, this.notices));
  }

  async cancel(queue: string, id: string): Promise<CancelOutcome> {
    this.assertQueue(queue);
    return withTransaction(this.pool, (tx) => cancelQueueJob(tx, this.boss, queue, id));
  }

  /** Deletes a finished (completed, cancelled or failed) job; a waiting or active one is cancelled first. */
  async delete(queue: string, id: string): Promise<void> {
    const job = await this.job(queue, id);
    if (job.state !== 'completed' && job.state !== 'cancelled' && job.state !== 'failed') {
      throw new ConflictError(`job ${id} is ${job.state}: cancel it before deleting it`);
    }
    await this.boss.deleteJob(queue, id);
  }

  async failedDeliveries(limit: number, before?: number): Promise<FailedDeliveryPage> {
    const items = await listFailedDeliveries(this.pool, limit + 1, before);
    const more = items.length > limit;
    if (more) items.pop();
    return { items, next: more ? items.at(-1)?.id : undefined };
  }

  /** Reopens a failed delivery and sends its build's notification job again; returns the build. */
  async retryDelivery(id: number): Promise<number> {
    return withTransaction(this.pool, async (tx) => {
      const reopened = await reopenFailedDelivery(tx, id);
      if (!reopened) {
        const status = await deliveryStatus(tx, id);
        if (status === undefined) throw new NotFoundError(`notification delivery ${id} does not exist`);
        if (status !== 'failed')
          throw new ConflictError(`notification delivery ${id} is ${status}, not failed`);
        throw new ConflictError(
          `notification delivery ${id} reported an earlier finish of its build; the build's latest finish is reported on its own`,
        );
      }
      await sendJob(
        this.boss,
        QueueName.NotifyBuild,
        { buildId: reopened.buildId, event: 'finished' },
        { db: tx },
      );
      return reopened.buildId;
    });
  }

  private assertQueue(queue: string): void {
    if (!(ALL_QUEUES as readonly string[]).includes(queue))
      throw new NotFoundError(`no queue named ${queue}`);
  }
}
