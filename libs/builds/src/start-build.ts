// Starting a claimed build: the attempt is recorded and announced (build_started) in the caller's
// transaction.
import type { Queryable } from '@fc/db';
import { hydraEvent, publishEvents } from './hydra-events';
import { markBuildStarted } from './sql/build-state-queries';

/** Returns false when the build finished meanwhile (nothing is written then). */
export async function startBuild(db: Queryable, buildId: number): Promise<boolean> {
  if (!(await markBuildStarted(db, buildId))) return false;
  await publishEvents(db, [hydraEvent.buildStarted(buildId)]);
  return true;
}
