// An evaluation's new builds, recorded in bulk in the caller's transaction: the rows with their
// outputs, a build-derivation job per queued build, and for a build whose outputs are all valid
// already (record cached) its finish, reported like any other. Each new build is announced on
// build_queued, a cached one then on build_finished; the builds it reuses on cached_build_finished or
// cached_build_queued (../evaluation-events.ts announces the evaluation itself).
import type { Queryable } from '@fc/db';
import { QueueName, bossDb, buildJobGroup, buildJobPriority, jobPayloadSchemas, type Boss } from '@fc/queue';
import { publishFinished } from './finish-build';
import { NO_PENDING_NOTICES, publishNotices, type BuildNotices } from './build-notices';
import { hydraEvent, publishEvents } from './hydra-events';
import { insertBuilds, type NewBuildRow } from './sql/insert-builds';

export type { NewBuildRow, CachedBuildResult } from './sql/insert-builds';

export interface NewBuildsScope {
  readonly projectId: number;
  readonly jobsetId: number;
  readonly evaluationId: number;
}

/** Inserts the builds and publishes what goes with them; returns job name → build id. */
export async function recordNewBuilds(
  db: Queryable,
  boss: Boss,
  scope: NewBuildsScope,
  rows: readonly (NewBuildRow & { readonly outputs: Readonly<Record<string, string>> })[],
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<Map<string, number>> {
  const ids = await insertBuilds(db, scope, rows);
  if (ids.size === 0) return ids;
  const queued = rows.filter((r) => r.queueJobId !== null);
  if (queued.length > 0) {
    const schema = jobPayloadSchemas[QueueName.BuildDerivation];
    await boss.insert(
      QueueName.BuildDerivation,
      queued.map((r) => ({
        id: r.queueJobId!,
        data: schema.parse({ buildId: ids.get(r.job)! }),
        priority: buildJobPriority(0, r.priority),
        group: buildJobGroup(scope.jobsetId),
      })),
      { db: bossDb(db) },
    );
  }
  const newIds = [...ids.values()].sort((a, b) => a - b);
  await publishEvents(
    db,
    newIds.map((id) => hydraEvent.buildQueued(id)),
  );
  if (notices.pendingStatuses) {
    await publishNotices(
      db,
      boss,
      queued.map((r) => ids.get(r.job)!),
      'queued',
    );
  }
  // A cached build is finished as it is recorded: reported now, as Hydra reports cached builds.
  await publishFinished(
    db,
    boss,
    rows.filter((r) => r.isCached).map((r) => ids.get(r.job)!),
  );
  return ids;
}

/** Announces the builds an evaluation reuses from an earlier one (their membership is the caller's). */
export async function announceReusedBuilds(
  db: Queryable,
  evaluationId: number,
  reused: readonly { readonly buildId: number; readonly finished: boolean }[],
): Promise<void> {
  await publishEvents(
    db,
    reused.map((b) =>
      b.finished
        ? hydraEvent.cachedBuildFinished(evaluationId, b.buildId)
        : hydraEvent.cachedBuildQueued(evaluationId, b.buildId),
    ),
  );
}
