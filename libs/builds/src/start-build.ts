// Starting a claimed build: the attempt is recorded and announced (build_started) in the caller's
// transaction.
import type { Queryable } from '@fc/db';
import type { Boss } from '@fc/queue';
import { NO_PENDING_NOTICES, publishNotices, type BuildNotices } from './build-notices';
import { hydraEvent, publishEvents } from './hydra-events';
import { markBuildStarted } from './sql/build-state-queries';

/**
 * Returns false when the build finished meanwhile (nothing is written then). `runner` names the queue
 * runner taking it (host and pid), shown on the dashboard's queue page.
 */
export async function startBuild(
  db: Queryable,
  boss: Boss,
  buildId: number,
  runner: string | null = null,
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<boolean> {
  if (!(await markBuildStarted(db, buildId, runner))) return false;
  await publishEvents(db, [hydraEvent.buildStarted(buildId)]);
  if (notices.pendingStatuses) await publishNotices(db, boss, [buildId], 'started');
  return true;
}
