// A build's steps as its runner sees them: a step is recorded when it starts and again when it
// finishes, which is announced on step_finished (build id, step number, log path).
import type { Queryable } from '@fc/db';
import { hydraEvent, publishEvents } from './hydra-events';
import { finishBusySteps, upsertBuildStep, type BuildStepInput } from './sql/build-step-queries';

export type { BuildStepInput };

/** Records a step's start (busy) or its finish (not busy: announced). */
export async function recordBuildStep(db: Queryable, step: BuildStepInput): Promise<void> {
  await upsertBuildStep(db, step);
  if (!step.busy) await publishEvents(db, [hydraEvent.stepFinished(step.buildId, step.stepNr, step.logPath)]);
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
