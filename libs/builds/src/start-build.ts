// Starting a claimed build: the attempt is recorded and announced (build_started) in the caller's
// transaction.
import type { Queryable } from '@fc/db';
import { hydraEvent, publishEvents } from './hydra-events';
import { markBuildStarted } from './sql/build-state-queries';

/**
 * Returns false when the build finished meanwhile (nothing is written then). `runner` names the queue
 * runner taking it (host and pid), shown on the dashboard's queue page.
 */
export async function startBuild(
  db: Queryable,
  buildId: number,
  runner: string | null = null,
): Promise<boolean> {
  if (!(await markBuildStarted(db, buildId, runner))) return false;
  await publishEvents(db, [hydraEvent.buildStarted(buildId)]);
  return true;
}
