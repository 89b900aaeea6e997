// Builds: the list (filters, fast totals), one build, its steps and log, the queue actions, stats.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress, createBrotliDecompress } from 'node:zlib';
import { NotFoundError, ValidationError } from '@fc/core';
import {
  buildLogPath,
  buildStepLogPath,
  buildsFinishedInLastHour,
  countBuildsUpTo,
  estimateBuilds,
  finishedBuildCounts,
  findBuildDetail,
  latestLoggedBuildOfDerivation,
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
import { bumpBuild, cancelBuild, restartBuild } from '@fc/builds';
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
  readonly logDir: string;
  /** How old the cached per-status counts may get before a background refresh (ms). */
  readonly statsMaxAgeMs: number;
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

  async get(id: number, db: Queryable = this.pool): Promise<BuildDetailRow> {
    const row = await findBuildDetail(db, id);
    if (!row) throw new NotFoundError(`build ${id} does not exist`);
    return row;
  }

  async steps(id: number): Promise<BuildStepRow[]> {
    await this.get(id);
    return listBuildSteps(this.pool, id);
  }

  /** The stored log, decompressed by its file extension (.gz, .zst, .br); 404 until one exists. */
  async log(id: number): Promise<Readable> {
    const row = await buildLogPath(this.pool, id);
    if (!row) throw new NotFoundError(`build ${id} does not exist`);
    if (!row.logPath) throw new NotFoundError(`build ${id} has no log yet`);
    const path = isAbsolute(row.logPath) ? row.logPath : join(this.options.logDir, row.logPath);
    try {
      await access(path);
    } catch {
      throw new NotFoundError(`the log of build ${id} is no longer stored`);
    }
    return openLogFile(path);
  }

  /** One step's stored log (Hydra's /build/{id}/nixlog/{step}), decompressed; 404 until one exists. */
  async stepLog(id: number, stepNr: number): Promise<Readable> {
    const row = await buildStepLogPath(this.pool, id, stepNr);
    if (!row) throw new NotFoundError(`build ${id} has no step ${stepNr}`);
    if (!row.logPath) throw new NotFoundError(`step ${stepNr} of build ${id} has no log`);
    const path = isAbsolute(row.logPath) ? row.logPath : join(this.options.logDir, row.logPath);
    try {
      await access(path);
    } catch {
      throw new NotFoundError(`the log of step ${stepNr} of build ${id} is no longer stored`);
    }
    return openLogFile(path);
  }

  /** The log of the latest build of a derivation (`/nix-cache/log/<drv>`); 404 when none has one. */
  async logOfDerivation(drvPath: string): Promise<Readable> {
    const id = await latestLoggedBuildOfDerivation(this.pool, drvPath);
    if (id === undefined) throw new NotFoundError(`no build of ${drvPath} has a log`);
    return this.log(id);
  }

  async cancel(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => cancelBuild(tx, this.boss, id));
  }

  async restart(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => restartBuild(tx, this.boss, id));
  }

  async bump(id: number): Promise<BuildDetailRow> {
    return this.act(id, (tx) => bumpBuild(tx, this.boss, id));
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

/** A stored log file, decompressed by its extension (.gz, .zst, .br). */
function openLogFile(path: string): Readable {
  const file = createReadStream(path);
  if (path.endsWith('.gz')) return file.pipe(createGunzip());
  if (path.endsWith('.zst')) return file.pipe(createZstdDecompress());
  if (path.endsWith('.br')) return file.pipe(createBrotliDecompress());
  return file;
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
