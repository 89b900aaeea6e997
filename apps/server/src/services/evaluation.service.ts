// Evaluations: reads, the trigger (a pg-boss evaluate-jobset job) and restarting an evaluation's builds.
import { ConflictError, NotFoundError } from '@fc/core';
import {
  evaluationBuildCounts,
  compareEvaluationBuilds,
  evaluationBuildSummaries,
  findEvaluationDetail,
  setLargeReadSettings,
  jobMatrixRows,
  latestEvaluationsOfJobsets,
  previousEvaluation,
  recentEvaluationIdsWithBuilds,
  type EvaluationBuildCountsRow,
  type ComparedBuildRow,
  type ComparisonGroup,
  type EvaluationComparisonSlice,
  type EvaluationBuildSummaryRow,
  countEvaluationsUpTo,
  estimateEvaluations,
  findJobset,
  listEvaluations,
  listEvaluationsJson,
  type EvaluationPageJson,
  withTransaction,
  type CappedCount,
  type CursorPage,
  type CursorPageRequest,
  type EvaluationDetailRow,
  type EvaluationFilter,
  type Pool,
  type Queryable,
} from '@fc/db';
import {
  NO_PENDING_NOTICES,
  bumpBuild,
  cancelBuild,
  restartEvaluationBuilds,
  type BuildNotices,
} from '@fc/builds';
import { requestEvaluation, type Boss } from '@fc/queue';
import type { Logger } from '@fc/logging';
import { listTotal } from './list-total';
import { EstimateCache } from './estimate-cache';
import { RefreshedValues } from './refreshed-values';

/** How long the planner's estimate of a filter's matches is reused. */
const ESTIMATE_TTL_MS = 60_000;

/** Up to this many matching evaluations the list's total is exact; past it, the planner's estimate. */
export const EXACT_EVALUATION_TOTAL_CAP = 1_000;
/** What a filter known to match more than the cap counts as. */
const PAST_CAP = { count: EXACT_EVALUATION_TOTAL_CAP, capped: true } as const;

/** A page of the evaluations list: its items as the API's JSON (EvaluationPageJson), the total and the paging. */
export interface EvaluationJsonPage extends Omit<CursorPage<never>, 'items'> {
  readonly items: EvaluationPageJson;
}

/**
 * Past this many builds in the two evaluations together, a comparison (a join of both in PostgreSQL,
 * about a second for 250,000 jobs against as many) is kept COMPARISON_MAX_AGE_MS and refreshed in the
 * background, so that the page of a nixpkgs-sized evaluation does not cost every visitor that join.
 */
export const LARGE_COMPARISON_BUILDS = 20_000;
export const COMPARISON_MAX_AGE_MS = 10_000;

/** Which builds of each group a comparison returns: from `offset` on, `limit` of each (or of `group` alone). */
export interface ComparisonWindow {
  readonly group?: ComparisonGroup | undefined;
  readonly offset: number;
  readonly limit: number;
}

export interface EvaluationComparisonResult extends EvaluationComparisonSlice {
  readonly evaluation: EvaluationDetailRow;
  /** The evaluation compared with (the jobset's previous one with builds), or null for its first. */
  readonly previousId: number | null;
  readonly window: ComparisonWindow;
  /** When the comparison was computed (a large one may be up to COMPARISON_MAX_AGE_MS old). */
  readonly takenAt: Date;
}

/** The evaluation's builds per status, as buildCounts gives them, from its comparison. */
export function buildCountsOf(r: EvaluationComparisonResult): EvaluationBuildCountsRow {
  const { succeeded, failed, aborted, queued } = r.totals;
  return {
    evaluationId: r.evaluation.id,
    total: succeeded + failed + aborted + queued,
    succeeded,
    failed: failed + aborted,
    unfinished: queued,
  };
}

/** A comparison's builds of one group. */
export function buildsOfGroup(r: EvaluationComparisonSlice, group: ComparisonGroup): ComparedBuildRow[] {
  return r.builds.filter((b) => b.group === group);
}

/** A build in the job matrix: its id, status code (null: not finished) and whether it started. */
export interface JobMatrixCell {
  readonly id: number;
  readonly buildStatus: number | null;
  readonly started: boolean;
}

/** A jobset's jobs (rows) against its latest evaluations with builds (columns, newest first). */
export interface JobMatrix {
  readonly evaluationIds: number[];
  readonly jobs: { job: string; system: string; cells: (JobMatrixCell | null)[] }[];
  /** More jobs than shown. */
  readonly more: boolean;
}

export class EvaluationService {
  private readonly estimates = new EstimateCache(ESTIMATE_TTL_MS);
  private readonly comparisons: RefreshedValues<EvaluationComparisonSlice & { takenAt: Date }>;
  private readonly largeCounts: RefreshedValues<EvaluationBuildCountsRow[]>;

  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    logger: Logger,
    /** Which notify-build jobs go with a restart (pending commit statuses). */
    private readonly notices: BuildNotices = NO_PENDING_NOTICES,
  ) {
    this.comparisons = new RefreshedValues('evaluation comparison', COMPARISON_MAX_AGE_MS, 100, logger);
    this.largeCounts = new RefreshedValues('evaluation build counts', COMPARISON_MAX_AGE_MS, 1000, logger);
  }

  /** A page of matching evaluations, newest first, after `cursor` or `offset` in. */
  async list(filter: EvaluationFilter, request: CursorPageRequest): Promise<CursorPage<EvaluationDetailRow>> {
    const pastCap = this.pastCap(filter);
    // One more than asked (whether a next page exists), and the capped count, in one statement.
    const found = await listEvaluations(this.pool, filter, request, {
      fetch: request.limit + 1,
      ...(pastCap ? {} : { countUpTo: EXACT_EVALUATION_TOTAL_CAP }),
    });
    const items = found.rows.slice(0, request.limit);
    const more = found.rows.length > request.limit;
    const total = await this.total(filter, request, items.length, more, pastCap ? PAST_CAP : found.counted);
    return {
      items,
      ...total,
      limit: request.limit,
      offset: request.offset,
      nextCursor: more ? items.at(-1)!.id : null,
    };
  }

  /**
   * The same page as list(), its items as the API's JSON written by PostgreSQL, nothing redacted:
   * for callers who may see everything, or pages with nothing to hide (EvaluationPageJson).
   */
  async listJson(filter: EvaluationFilter, request: CursorPageRequest): Promise<EvaluationJsonPage> {
    const pastCap = this.pastCap(filter);
    const found = await listEvaluationsJson(this.pool, filter, request, {
      ...(pastCap ? {} : { countUpTo: EXACT_EVALUATION_TOTAL_CAP }),
    });
    const total = await this.total(
      filter,
      request,
      found.shown,
      found.more,
      pastCap ? PAST_CAP : found.counted,
    );
    return {
      items: found,
      ...total,
      limit: request.limit,
      offset: request.offset,
      nextCursor: found.more ? found.lastId : null,
    };
  }

  /** Whether the filter counted past the cap a moment ago: not counted again while its estimate is kept. */
  private pastCap(filter: EvaluationFilter): boolean {
    return this.estimates.has(JSON.stringify(filter));
  }

  /** A list's total: exact up to the cap (`counted`, else counted now), past it the planner's estimate. */
  private async total(
    filter: EvaluationFilter,
    request: CursorPageRequest,
    shown: number,
    more: boolean,
    counted: CappedCount | undefined,
  ): Promise<{ total: number; totalExact: boolean }> {
    const t = await listTotal(request, shown, more, {
      counted,
      countUpTo: (cap) => countEvaluationsUpTo(this.pool, filter, cap),
      estimate: () =>
        this.estimates.get(JSON.stringify(filter), () => estimateEvaluations(this.pool, filter)),
      cap: EXACT_EVALUATION_TOTAL_CAP,
    });
    return { total: t.total, totalExact: t.exact };
  }

  /** The latest evaluation of each of the jobsets, by jobset id. */
  async latestOfJobsets(jobsetIds: readonly number[]): Promise<Map<number, EvaluationDetailRow>> {
    const rows = await latestEvaluationsOfJobsets(this.pool, jobsetIds);
    return new Map(rows.map((e) => [e.jobsetId, e]));
  }

  /** The newest `limit` matching evaluations (after `cursor`), without a total. */
  async newest(filter: EvaluationFilter, limit: number, cursor?: number): Promise<EvaluationDetailRow[]> {
    return (await listEvaluations(this.pool, filter, { limit, offset: 0, cursor })).rows;
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
    const ids = await withTransaction(this.pool, (tx) =>
      restartEvaluationBuilds(tx, this.boss, id, which, this.notices),
    );
    this.forget(id);
    return ids;
  }

  /**
   * Hydra's comparison of the evaluation's builds with the jobset's previous evaluation: every
   * group's count, and the builds of `window`. A large one is served from memory, refreshed in the
   * background every COMPARISON_MAX_AGE_MS.
   */
  async compare(id: number, window: ComparisonWindow): Promise<EvaluationComparisonResult> {
    const evaluation = await this.get(id);
    const previous = await previousEvaluation(this.pool, id);
    const previousId = previous?.id ?? null;
    const read = async () => {
      const takenAt = new Date();
      if (evaluation.nrBuilds + (previous?.nrBuilds ?? 0) <= LARGE_COMPARISON_BUILDS) {
        return { ...(await compareEvaluationBuilds(this.pool, id, previousId, window)), takenAt };
      }
      return withTransaction(this.pool, async (tx) => {
        await setLargeReadSettings(tx);
        return { ...(await compareEvaluationBuilds(tx, id, previousId, window)), takenAt };
      });
    };
    const slice =
      evaluation.nrBuilds + (previous?.nrBuilds ?? 0) > LARGE_COMPARISON_BUILDS
        ? await this.comparisons.get(
            `${id}:${previousId}:${window.group ?? ''}:${window.offset}:${window.limit}`,
            read,
          )
        : await read();
    return { ...slice, evaluation, previousId, window };
  }

  /**
   * Builds per status of each evaluation (an evaluation without builds is absent). Counting an
   * evaluation's reused builds reads each of them, so the counts of one with more than
   * LARGE_COMPARISON_BUILDS builds are kept COMPARISON_MAX_AGE_MS and refreshed in the background.
   */
  async buildCounts(
    evaluations: readonly Pick<EvaluationDetailRow, 'id' | 'nrBuilds'>[],
  ): Promise<Map<number, EvaluationBuildCountsRow>> {
    const small = evaluations.filter((e) => e.nrBuilds <= LARGE_COMPARISON_BUILDS).map((e) => e.id);
    const large = evaluations.filter((e) => e.nrBuilds > LARGE_COMPARISON_BUILDS).map((e) => e.id);
    const rows = [
      ...(await evaluationBuildCounts(this.pool, small)),
      ...(
        await Promise.all(
          large.map((id) =>
            this.largeCounts.get(`${id}:counts`, () => evaluationBuildCounts(this.pool, [id])),
          ),
        )
      ).flat(),
    ];
    return new Map(rows.map((r) => [r.evaluationId, r]));
  }

  /**
   * The jobs × recent evaluations status matrix of a jobset: its latest `evaluations` with builds,
   * and of their jobs the first `jobs` by name (`more`: there are others).
   */
  async jobMatrix(jobsetId: number, evaluations: number, jobs: number): Promise<JobMatrix> {
    const evaluationIds = await recentEvaluationIdsWithBuilds(this.pool, jobsetId, evaluations);
    // One name more than rows shown (whether there are more); a name of the jobset's past without a
    // cell in these evaluations makes no row.
    const rows = await jobMatrixRows(this.pool, jobsetId, evaluationIds, jobs + 1);
    const column = new Map(evaluationIds.map((id, i) => [id, i]));
    const all = rows.map((row) => {
      const cells: (JobMatrixCell | null)[] = evaluationIds.map(() => null);
      for (const [evaluationId, id, buildStatus, started] of row.cells) {
        cells[column.get(evaluationId)!] = { id, buildStatus, started };
      }
      return { job: row.job, system: row.system, cells };
    });
    return { evaluationIds, jobs: all.slice(0, jobs), more: all.length > jobs };
  }

  /**
   * Cancels the evaluation's unfinished builds, queued and running, as Hydra's evaluation cancel
   * does (a running build's process is killed); returns their ids.
   */
  cancelUnfinishedBuilds(id: number): Promise<number[]> {
    return this.actOnUnfinished(id, () => true, cancelBuild);
  }

  /** Moves the evaluation's unfinished builds to the front of the queue; returns their ids. */
  bumpBuilds(id: number): Promise<number[]> {
    return this.actOnUnfinished(id, () => true, bumpBuild);
  }

  /** Forgets what is kept of a large evaluation (its builds changed). */
  private forget(id: number): void {
    this.comparisons.invalidate(`${id}:`);
    this.largeCounts.invalidate(`${id}:`);
  }

  private async actOnUnfinished(
    id: number,
    which: (b: EvaluationBuildSummaryRow) => boolean,
    action: (tx: Queryable, boss: Boss, buildId: number) => Promise<void>,
  ): Promise<number[]> {
    await this.get(id);
    const builds = (await evaluationBuildSummaries(this.pool, [id])).filter((b) => !b.finished && which(b));
    const done = await withTransaction(this.pool, async (tx) => {
      const done: number[] = [];
      for (const b of builds) {
        try {
          await action(tx, this.boss, b.id);
          done.push(b.id);
        } catch (e) {
          // Finished meanwhile: nothing to do for it.
          if (!(e instanceof ConflictError)) throw e;
        }
      }
      return done;
    });
    this.forget(id);
    return done;
  }
}
