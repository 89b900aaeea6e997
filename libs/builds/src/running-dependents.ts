// Hydra fails every build that needs a failed step, running ones too. The builds not started yet are
// finished in the failing build's transaction (fail-dependents.ts); a running build has a runner that
// owns its row, steps and log, so the failing build's transaction tells the runners instead (for a
// step that failed with 1, what the failed-paths cache keeps; finishBuild decides): a NOTIFY
// on DEPENDENCY_FAILED_CHANNEL, delivered at commit, names the running builds that need the failed
// derivation, and each runner stops its Nix run and finishes the build as a dependent of the failure
// (rather than letting Nix build the failed derivation again once the failing build's lock is gone).
import { z } from 'zod';
import type { Queryable } from '@fc/db';
import type { BuildStatusCode } from '@fc/core';
import type { FailedStep } from './fail-dependents';
import { runningDependentBuildIds } from './sql/dependent-build-queries';

export const DEPENDENCY_FAILED_CHANNEL = 'fc_dependency_failed';

/** What a runner learns of a failed derivation its running builds need. */
export interface DependencyFailure {
  /** The build whose step failed. */
  readonly failedIn: number;
  readonly drvPath: string;
  /** The failed step's status. */
  readonly status: BuildStatusCode;
}

const signal = z.object({
  failedIn: z.number().int(),
  drvPath: z.string().min(1),
  status: z.number().int(),
  buildIds: z.array(z.number().int()),
});

export type DependencyFailureSignal = DependencyFailure & { readonly buildIds: readonly number[] };

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes and more: ids go in chunks well under it. */
const IDS_PER_SIGNAL = 400;

/** Tells the runners of the running builds that need the failed step (at commit); returns their ids. */
export async function signalRunningDependents(
  db: Queryable,
  failedBuildId: number,
  step: FailedStep,
): Promise<number[]> {
  const ids = await runningDependentBuildIds(db, failedBuildId, step.neededBy);
  for (let i = 0; i < ids.length; i += IDS_PER_SIGNAL) {
    const payload: DependencyFailureSignal = {
      failedIn: failedBuildId,
      drvPath: step.drvPath,
      status: step.status,
      buildIds: ids.slice(i, i + IDS_PER_SIGNAL),
    };
    await db.query('SELECT pg_notify($1, $2)', [DEPENDENCY_FAILED_CHANNEL, JSON.stringify(payload)]);
  }
  return ids;
}

/** A DEPENDENCY_FAILED_CHANNEL payload; undefined when it is not one. */
export function parseDependencyFailureSignal(
  payload: string | undefined,
): DependencyFailureSignal | undefined {
  try {
    const parsed = signal.safeParse(JSON.parse(payload ?? ''));
    return parsed.success ? { ...parsed.data, status: parsed.data.status as BuildStatusCode } : undefined;
  } catch {
    return undefined;
  }
}
