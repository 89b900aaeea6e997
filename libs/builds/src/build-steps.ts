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

/**
 * Records a step's start (busy) or its finish (not busy: announced on step_finished with where its log
 * is: a log file of before migration 0900, else its URL on fc-server when it is stored, else "-").
 */
export async function recordBuildStep(
  db: Queryable,
  step: BuildStepInput,
  options: StepRecordOptions = {},
): Promise<void> {
  await upsertBuildStep(db, step);
  if (step.busy) return;
  const log =
    step.logPath ?? (step.logStored ? stepLogUrl(step.buildId, step.stepNr, options.baseUrl) : null);
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
