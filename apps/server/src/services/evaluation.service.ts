// Evaluations: reads, the trigger (a pg-boss evaluate-jobset job) and restarting an evaluation's builds.
import { NotFoundError } from '@fc/core';
import {
  findEvaluationDetail,
  findJobset,
  listEvaluations,
  withTransaction,
  type EvaluationDetailRow,
  type EvaluationFilter,
  type Page,
  type PageRequest,
  type Pool,
} from '@fc/db';
import { NO_PENDING_NOTICES, restartEvaluationBuilds, type BuildNotices } from '@fc/builds';
import { requestEvaluation, type Boss } from '@fc/queue';

export class EvaluationService {
  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    /** Which notify-build jobs go with a restart (pending commit statuses). */
    private readonly notices: BuildNotices = NO_PENDING_NOTICES,
  ) {}

  list(filter: EvaluationFilter, request: PageRequest): Promise<Page<EvaluationDetailRow>> {
    return listEvaluations(this.pool, filter, request);
  }

  async get(id: number): Promise<EvaluationDetailRow> {
    const row = await findEvaluationDetail(this.pool, id);
    if (!row) throw new NotFoundError(`evaluation ${id} does not exist`);
    return row;
  }

  /** Publishes an evaluate-jobset job; `queued` is false when one was already waiting. */
  async trigger(
    jobsetId: number,
    force: boolean,
    reason: 'api' | 'webhook' = 'api',
  ): Promise<{ jobId: string | null; queued: boolean }> {
    return withTransaction(this.pool, async (tx) => {
      if (!(await findJobset(tx, jobsetId))) throw new NotFoundError(`jobset ${jobsetId} does not exist`);
      const jobId = await requestEvaluation(tx, this.boss, { jobsetId, force, reason });
      return { jobId, queued: jobId !== null };
    });
  }

  async restartBuilds(id: number, which: 'aborted' | 'failed'): Promise<number[]> {
    await this.get(id);
    return withTransaction(this.pool, (tx) =>
      restartEvaluationBuilds(tx, this.boss, id, which, this.notices),
    );
  }
}
