// Builds: the list (filters, fast totals), one build, its steps, the queue actions, stats (logs: BuildLogService).
import { NotFoundError, ValidationError } from '@fc/core';
import {
  buildsFinishedSince,
  buildsFinishedInLastHour,
  compactRowCounts,
  countBuildsUpTo,
  estimateBuilds,
  finishedBuildCounts,
  buildExists,
  findBuildDetail,
  findBuildSummaries,
  listBuildSteps,
  listBuildSummaries,
  listBuildsJson,
  readRowCounts,
  withTransaction,
  type BuildDetailRow,
  type BuildFilter,
  type BuildOrder,
  type BuildPageJson,
  type BuildStepRow,
  type BuildSummaryRow,
  type CursorPage,
  type CursorPageRequest,
  type Pool,
  type Queryable,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import {
  bumpBuild,
  cancelBuild,
  clearAllFailedPaths,
  countFailedPaths,
  restartBuild,
  type BuildNotices,
} from '@fc/builds';
import type { Boss } from '@fc/queue';
import { BUILD_STATUS_CODES, buildStatusName, isBuildStatusCode, isUnfinishedStatusName } from '@fc/core';
import { RefreshedValue } from './refreshed-value';
import { listTotal } from './list-total';
import { EstimateCache } from './estimate-cache';

/** How long the planner's estimate of a filter's matches is reused. */
const ESTIMATE_TTL_MS = 60_000;

/** Up to this many matching builds the list's total is exact; past it, the planner's estimate. */
export const EXACT_TOTAL_CAP = 1_000;

/** A page of the builds list: its items as the API's JSON (BuildPageJson), the total and the paging. */
export interface BuildJsonPage extends Omit<CursorPage<never>, 'items'> {
  readonly items: BuildPageJson;
}

export interface BuildStats {
  readonly total: number;
  readonly queued: number;
  readonly running: number;
  readonly finished: number;
  readonly byStatus: Record<string, number>;
  readonly finishedLastHour: number;
  readonly finishedCountedAt: Date;
}

export interface BuildServiceOptions {
  /** How old the cached per-status counts may get before a background refresh (ms). */
  readonly statsMaxAgeMs: number;
  /** Which notify-build jobs go with a restart (pending commit statuses). */
  readonly notices?: BuildNotices;
}

export class BuildService {
  /** Finished builds per status code, and those of the last 24 hours: scans, so refreshed in the background. */
  private readonly finishedCounts: RefreshedValue<Map<number, number>>;
  private readonly lastDay: RefreshedValue<{ succeeded: number; failed: number }>;
  /** Builds finished in the last hour: an index range of an hour's builds, so refreshed alike. */
  private readonly lastHour: RefreshedValue<number>;
  private readonly estimates = new EstimateCache(ESTIMATE_TTL_MS);
  /** When the row count deltas were last folded (ms). */
  private foldedAt = 0;

  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    private readonly logger: Logger,
    private readonly options: BuildServiceOptions,
  ) {
    this.finishedCounts = new RefreshedValue(
      'build status counts',
      () => finishedBuildCounts(pool),
      options.statsMaxAgeMs,
      logger,
    );
    this.lastHour = new RefreshedValue(
      'builds of the last hour',
      () => buildsFinishedInLastHour(pool),
      options.statsMaxAgeMs,
      logger,
    );
    this.lastDay = new RefreshedValue(
      'builds of the last day',
      () => buildsFinishedSince(pool, 24),
      options.statsMaxAgeMs,
      logger,
    );
  }

  /**
   * A page of matching builds with their details, as the API's JSON (written by PostgreSQL): after
   * `cursor`, or `offset` builds in. The total is exact up to EXACT_TOTAL_CAP matches, past it the
   * planner's estimate (`totalExact` false).
   */
  async list(
    filter: BuildFilter,
    request: CursorPageRequest,
    order: BuildOrder = 'id',
  ): Promise<BuildJsonPage> {
    const matching = order === 'stopped' ? { ...filter, finishedOnly: true } : filter;
    const key = JSON.stringify(matching);
    // A filter that counted past the cap a moment ago is not counted again while its estimate is kept.
    const pastCap = this.estimates.has(key);
    // The page, whether a next one exists, and the capped count, in one statement.
    const found = await listBuildsJson(this.pool, filter, request, {
      order,
      ...(pastCap ? {} : { countUpTo: EXACT_TOTAL_CAP }),
    });
    const total = await listTotal(request, found.shown, found.more, {
      counted: pastCap ? { count: EXACT_TOTAL_CAP, capped: true } : found.counted,
      countUpTo: (cap) => countBuildsUpTo(this.pool, matching, cap),
      estimate: () => this.estimates.get(key, () => estimateBuilds(this.pool, matching)),
      cap: EXACT_TOTAL_CAP,
    });
    return {
      items: found,
      total: total.total,
      totalExact: total.exact,
      limit: request.limit,
      offset: request.offset,
      nextCursor: found.more ? found.lastId : null,
    };
  }

  /** The newest `limit` matching builds in brief (after `cursor`), without a total. */
  newest(filter: BuildFilter, limit: number, cursor?: number): Promise<BuildSummaryRow[]> {
    return listBuildSummaries(this.pool, filter, { limit, offset: 0, cursor });
  }

  /** These builds in brief, by id (ids of builds that do not exist are absent). */
  async summaries(ids: readonly number[]): Promise<Map<number, BuildSummaryRow>> {
    const rows = await findBuildSummaries(this.pool, ids);
    return new Map(rows.map((b) => [b.id, b]));
  }

  /** Builds finished in the last 24 hours, succeeded and failed (any other status); a few seconds old. */
  async finishedLastDay(): Promise<{ succeeded: number; failed: number }> {
    return (await this.lastDay.get()).value;
  }

  async get(id: number, db: Queryable = this.pool): Promise<BuildDetailRow> {
    const row = await findBuildDetail(db, id);
    if (!row) throw new NotFoundError(`build ${id} does not exist`);
    return row;
  }

  /** The build's steps; `known`: the caller has just read the build (no second read for the 404). */
  async steps(id: number, known = false): Promise<BuildStepRow[]> {
    if (!known) await this.exists(id);
    return listBuildSteps(this.pool, id);
  }

  private async exists(id: number): Promise<void> {
    if (!(await buildExists(this.pool, id))) throw new NotFoundError(`build ${id} does not exist`);
  }

  async cancel(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => cancelBuild(tx, this.boss, id));
  }

  async restart(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => restartBuild(tx, this.boss, id, this.options.notices));
  }

  async bump(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => bumpBuild(tx, this.boss, id));
  }

  /** How many output paths the failed-paths cache holds (derivations not built again: status 8). */
  failedPathCount(): Promise<number> {
    return countFailedPaths(this.pool);
  }

  /**
   * Empties the failed-paths cache (Hydra's admin "clear failed builds cache"): every derivation whose
   * build failed is built again by the next build that needs it. Returns how many paths were cleared.
   */
  async clearFailedPaths(): Promise<number> {
    const cleared = await clearAllFailedPaths(this.pool);
    this.logger.info('failed-paths cache cleared', { cleared });
    return cleared;
  }

  private async act(id: number, action: (tx: Queryable) => Promise<void>): Promise<BuildDetailRow> {
    const row = await withTransaction(this.pool, async (tx) => {
      await action(tx);
      return this.get(id, tx);
    });
    this.finishedCounts.invalidate();
    this.lastHour.invalidate();
    return row;
  }

  /** Queued and running builds, from the trigger-kept row counts (exact, live, no count of the queue). */
  async queueCounts(): Promise<{ queued: number; running: number }> {
    const rows = await this.rowCounts();
    return { queued: rows.get('builds_pending') ?? 0, running: rows.get('builds_running') ?? 0 };
  }

  /**
   * The trigger-kept row counts; their appended deltas are folded in (in the background, at most
   * every statsMaxAgeMs) so that reading them stays short whether or not /metrics is scraped.
   */
  private rowCounts(): Promise<Map<string, number>> {
    if (Date.now() - this.foldedAt >= this.options.statsMaxAgeMs) {
      this.foldedAt = Date.now();
      compactRowCounts(this.pool).catch((e: unknown) =>
        this.logger.warn('folding the row count deltas failed', { error: (e as Error).message }),
      );
    }
    return readRowCounts(this.pool);
  }

  /**
   * Queued, running, finished and total from the trigger-kept row counts (exact, live); finished per
   * status and in the last hour from the background-refreshed counts (one query per call).
   */
  async statistics(): Promise<BuildStats> {
    const [rows, finished, lastHour] = await Promise.all([
      this.rowCounts(),
      this.finishedCounts.get(),
      this.lastHour.get(),
    ]);
    const n = (name: string) => rows.get(name) ?? 0;
    const queued = n('builds_pending');
    const running = n('builds_running');
    const byStatus: Record<string, number> = { queued, running };
    for (const [code, count] of finished.value) {
      if (isBuildStatusCode(code)) byStatus[buildStatusName(true, code, null)] = count;
    }
    return {
      total: n('builds'),
      queued,
      running,
      finished: n('builds_succeeded') + n('builds_failed'),
      byStatus,
      finishedLastHour: lastHour.value,
      finishedCountedAt: finished.takenAt,
    };
  }
}

export function parseStatusFilter(name: string | undefined): BuildFilter['status'] {
  if (name === undefined) return undefined;
  if (isUnfinishedStatusName(name)) return name;
  const code = STATUS_CODE_OF_NAME.get(name);
  if (code === undefined) throw new ValidationError(`unknown build status "${name}"`);
  return code;
}

const STATUS_CODE_OF_NAME = new Map<string, number>(
  BUILD_STATUS_CODES.map((c) => [buildStatusName(true, c, null), c]),
);
