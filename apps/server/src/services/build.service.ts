// Builds: the list (filters, fast totals), one build, its steps, the queue actions, stats (logs: BuildLogService).
import { NotFoundError, ValidationError } from '@fc/core';
import {
  buildsFinishedSince,
  buildsFinishedInLastHour,
  countBuildsUpTo,
  estimateBuilds,
  finishedBuildCounts,
  findBuildDetail,
  listBuildSteps,
  listBuilds,
  liveBuildCounts,
  withTransaction,
  type BuildDetailRow,
  type BuildFilter,
  type BuildStepRow,
  type Page,
  type PageRequest,
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
import { BUILD_STATUS_CODES, buildStatusName, isBuildStatusCode } from '@fc/core';
import { BuildStatsCache } from './build-stats-cache';

/** Up to this many matching builds the list's total is exact; past it, the planner's estimate. */
export const EXACT_TOTAL_CAP = 10_000;

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
  private readonly stats: BuildStatsCache;

  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    private readonly logger: Logger,
    private readonly options: BuildServiceOptions,
  ) {
    this.stats = new BuildStatsCache(() => finishedBuildCounts(pool), options.statsMaxAgeMs, logger);
  }

  async list(
    filter: BuildFilter,
    request: PageRequest,
    order: 'id' | 'stopped' = 'id',
  ): Promise<Page<BuildDetailRow>> {
    const [items, counted] = await Promise.all([
      listBuilds(this.pool, filter, request, order),
      countBuildsUpTo(
        this.pool,
        order === 'stopped' ? { ...filter, finishedOnly: true } : filter,
        EXACT_TOTAL_CAP,
      ),
    ]);
    let total = counted.count;
    if (counted.capped) {
      total = Math.max(
        EXACT_TOTAL_CAP + 1,
        request.offset + items.length,
        await estimateBuilds(this.pool, order === 'stopped' ? { ...filter, finishedOnly: true } : filter),
      );
    }
    return { items, total, totalExact: !counted.capped, limit: request.limit, offset: request.offset };
  }

  /** The newest `limit` matching builds, without a total (the dashboard pages by id instead). */
  newest(filter: BuildFilter, limit: number): Promise<BuildDetailRow[]> {
    return listBuilds(this.pool, filter, { limit, offset: 0 });
  }

  /** Builds finished in the last `hours`, succeeded and failed (any other status). */
  finishedSince(hours: number): Promise<{ succeeded: number; failed: number }> {
    return buildsFinishedSince(this.pool, hours);
  }

  async get(id: number, db: Queryable = this.pool): Promise<BuildDetailRow> {
    const row = await findBuildDetail(db, id);
    if (!row) throw new NotFoundError(`build ${id} does not exist`);
    return row;
  }

  async steps(id: number): Promise<BuildStepRow[]> {
    await this.get(id);
    return listBuildSteps(this.pool, id);
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
    this.stats.invalidate();
    return row;
  }

  async statistics(): Promise<BuildStats> {
    const [live, finished, lastHour] = await Promise.all([
      liveBuildCounts(this.pool),
      this.stats.get(),
      buildsFinishedInLastHour(this.pool),
    ]);
    const byStatus: Record<string, number> = { queued: live.queued, running: live.running };
    let finishedTotal = 0;
    for (const [code, n] of finished.counts) {
      if (!isBuildStatusCode(code)) continue;
      byStatus[buildStatusName(true, code, null)] = n;
      finishedTotal += n;
    }
    return {
      total: finishedTotal + live.queued + live.running,
      queued: live.queued,
      running: live.running,
      finished: finishedTotal,
      byStatus,
      finishedLastHour: lastHour,
      finishedCountedAt: finished.takenAt,
    };
  }
}

export function parseStatusFilter(name: string | undefined): BuildFilter['status'] {
  if (name === undefined) return undefined;
  if (name === 'queued' || name === 'running') return name;
  const code = STATUS_CODE_OF_NAME.get(name);
  if (code === undefined) throw new ValidationError(`unknown build status "${name}"`);
  return code;
}

const STATUS_CODE_OF_NAME = new Map<string, number>(
  BUILD_STATUS_CODES.map((c) => [buildStatusName(true, c, null), c]),
);
