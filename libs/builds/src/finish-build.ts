// Finishing a build with Hydra's status, in the caller's transaction, with what goes with it: the
// notify-build job (commit statuses, webhooks, run commands) and build_finished — and, when a step of
// it failed, its dependents (builds not started yet that need the failed derivation) finished with it
// and listed after it on build_finished, as Hydra lists them; the running ones' runners are told to
// stop them (running-dependents.ts).
import type { Queryable } from '@fc/db';
import { BuildStatus, type BuildStatusCode } from '@fc/core';
import type { Boss } from '@fc/queue';
import { publishNotices } from './build-notices';
import { finishDependents, type FailedStep } from './fail-dependents';
import { signalRunningDependents } from './running-dependents';
import { insertFailedPaths, type FailedPath } from './sql/failed-path-queries';
import { buildFinishedEvents, publishEvents } from './hydra-events';
import {
  finishBuildRow,
  type MetricInput,
  type OutputSize,
  type ProductInput,
} from './sql/build-state-queries';

export type { FailedStep, MetricInput, OutputSize, ProductInput };

export interface BuildFinish {
  readonly status: BuildStatusCode;
  readonly errorMessage: string | null;
  readonly isCached?: boolean;
  readonly releaseName?: string | null;
  readonly size?: number | null;
  readonly closureSize?: number | null;
  /** The log's final size (undefined keeps what is recorded). */
  readonly logSize?: number | null;
  readonly outputSizes?: readonly OutputSize[];
  readonly products?: readonly ProductInput[];
  readonly metrics?: readonly MetricInput[];
  /** How steps still busy end; by default aborted (3), "the build finished without this step". */
  readonly busySteps?: { readonly status: number; readonly errorMessage: string } | null;
  /** Recorded as it finished, never run (substituted): started = stopped. */
  readonly startedNow?: boolean;
  /** Outputs of derivations whose build failed: not built again until a restart (status 8). */
  readonly failedPaths?: readonly FailedPath[];
  /** The step whose failure failed the build: the builds waiting that need it finish with it. */
  readonly failedStep?: FailedStep;
}

const DEFAULT_BUSY_STEPS = {
  status: BuildStatus.Aborted,
  errorMessage: 'the build finished without this step',
};

/**
 * Finishes an unfinished build (with its dependents, given the step that failed it). Returns false when
 * it had already finished (cancelled meanwhile): then nothing is written or published.
 */
export async function finishBuild(
  db: Queryable,
  boss: Boss,
  buildId: number,
  f: BuildFinish,
): Promise<boolean> {
  const finished = await finishBuildRow(db, {
    buildId,
    status: f.status,
    errorMessage: f.errorMessage,
    isCached: f.isCached ?? false,
    releaseName: f.releaseName ?? null,
    size: f.size ?? null,
    closureSize: f.closureSize ?? null,
    logSize: f.logSize ?? null,
    outputSizes: f.outputSizes ?? [],
    products: f.products ?? [],
    metrics: f.metrics ?? [],
    busySteps: f.busySteps === undefined ? DEFAULT_BUSY_STEPS : f.busySteps,
    startedNow: f.startedNow ?? false,
  });
  if (!finished) return false;
  await insertFailedPaths(db, buildId, f.failedPaths ?? []);
  const dependents = f.failedStep ? await finishDependents(db, boss, buildId, f.status, f.failedStep) : [];
  // The running builds that need a derivation that failed (1, what the failed-paths cache keeps) are
  // stopped by their runners, told at commit; a timeout or a limit is the failing build's own: the
  // others run on under theirs.
  if (f.failedStep?.status === BuildStatus.Failed) await signalRunningDependents(db, buildId, f.failedStep);
  await publishNotices(db, boss, [buildId, ...dependents], 'finished');
  await publishEvents(db, buildFinishedEvents(buildId, dependents));
  return true;
}

/** What goes with finished builds: one notify-build job each and build_finished. */
export async function publishFinished(db: Queryable, boss: Boss, buildIds: readonly number[]): Promise<void> {
  if (buildIds.length === 0) return;
  await publishNotices(db, boss, buildIds, 'finished');
  await publishEvents(
    db,
    buildIds.flatMap((id) => buildFinishedEvents(id)),
  );
}
