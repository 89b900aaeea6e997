// Hydra's dependents of a failed step: when a build's step fails, every build not started yet that
// needs the step's derivation (Nix's referrers of it) finishes with it, in the failing build's
// transaction, unrun: a step for the failed derivation naming the failing build (propagated_from), and
// Hydra's status for a build that needs a failed step. The failing build's aggregates finish as an
// aggregate with a failed constituent does. All are announced with the failing build, as its
// dependents on build_finished (finishBuild).
import type { Queryable } from '@fc/db';
import { statusForFailedDependency, type BuildStatusCode } from '@fc/core';
import { QueueName, bossDb, type Boss } from '@fc/queue';
import { dependentFailureMessage, failedConstituentMessage } from './failure-notices';
import { statusOfDependent } from './nix-result-status';
import { finishUnrunBuilds, insertPropagatedSteps, lockDependentBuilds } from './sql/dependent-build-queries';

export interface FailedStep {
  readonly drvPath: string;
  readonly status: BuildStatusCode;
  /** The derivations that need it, itself included (derivationsNeeding: Nix's referrers closure). */
  readonly neededBy: readonly string[];
}

/**
 * Finishes the builds not started yet that need the failed step (the failing build finished with
 * `failedStatus`); returns their ids.
 */
export async function finishDependents(
  db: Queryable,
  boss: Boss,
  failedBuildId: number,
  failedStatus: BuildStatusCode,
  step: FailedStep,
): Promise<number[]> {
  const rows = await lockDependentBuilds(db, failedBuildId, step.neededBy);
  if (rows.length === 0) return [];
  const needing = rows.filter((r) => !r.aggregateOfFailed);
  const errorMessage = dependentFailureMessage(step.drvPath, failedBuildId);
  if (needing.length > 0) {
    await insertPropagatedSteps(
      db,
      needing.map((r) => r.id),
      { drvPath: step.drvPath, status: step.status, errorMessage, propagatedFrom: failedBuildId },
    );
  }
  const finished = await finishUnrunBuilds(
    db,
    rows.map((r) =>
      r.aggregateOfFailed
        ? {
            id: r.id,
            status: statusForFailedDependency(failedStatus),
            errorMessage: failedConstituentMessage(r.failedJob, failedBuildId, failedStatus),
          }
        : { id: r.id, status: statusOfDependent(step.status, r.drvPath === step.drvPath), errorMessage },
    ),
  );
  // Their queued jobs would only find them finished: cancelled with them.
  const jobs = rows.flatMap((r) => (r.queueJobId ? [r.queueJobId] : []));
  if (jobs.length > 0) await boss.cancel(QueueName.BuildDerivation, jobs, { db: bossDb(db) });
  return finished;
}
