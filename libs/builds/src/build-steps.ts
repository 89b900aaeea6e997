// A build's steps as its runner sees them: a step is recorded when it starts and again when it
// finishes, which is announced on step_finished (build id, step number, where its log is).
import type { Queryable } from '@fc/db';
import { hydraEvent, publishEvents, stepLogUrl } from './hydra-events';
import { finishBusySteps, upsertBuildStep, type BuildStepInput } from './sql/build-step-queries';

export type { BuildStepInput };

export interface StepRecordOptions {
  /** server.base_url: step_finished names a stored step log by its absolute URL. */
  readonly baseUrl?: string | undefined;
}

/** Step type 0: a derivation built (1: a path substituted). */
const BUILD_STEP = 0;

/**
 * Records a step's start (busy) or its finish. As Hydra, the finish of a build step that ran (its log
 * stored) is announced on step_finished, with its log's URL on fc-server; a substitution, or a step
 * recorded without running (a cached failure), is not.
 */
export async function recordBuildStep(
  db: Queryable,
  step: BuildStepInput,
  options: StepRecordOptions = {},
): Promise<void> {
  await upsertBuildStep(db, step);
  if (step.busy || step.type !== BUILD_STEP || !step.logStored) return;
  const log = stepLogUrl(step.buildId, step.stepNr, options.baseUrl);
  await publishEvents(db, [hydraEvent.stepFinished(step.buildId, step.stepNr, log)]);
}

/** Ends the steps of a build still marked busy (its run was cancelled or lost). */
export async function endBusySteps(
  db: Queryable,
  buildId: number,
  status: number,
  errorMessage: string,
): Promise<void> {
  await finishBusySteps(db, buildId, status, errorMessage);
}
