// The scheduler's declarative step: for each declarative project, the newest succeeded "jobsets" build
// of its ".jobsets" jobset that was not applied yet is read and applied, once. Polling here rather
// than reacting in fc-queue-runner keeps the builder unaware of declarative projects, and covers a
// build the evaluator recorded as cached (never queued) the same way as one the queue runner built.
// The project row is locked and the build re-checked in the transaction, so two evaluators never
// apply it twice. A bad spec is recorded on ".jobsets" (error_message) and marks the build handled,
// changing nothing else; it is not retried until a newer build succeeds.
import { readFileSync, statSync } from 'node:fs';
import {
  clearJobsetError,
  lockDeclarativeBuild,
  pendingDeclarativeBuilds,
  setDeclarativeAppliedBuild,
  setJobsetError,
  withTransaction,
  type PendingDeclarativeBuild,
  type Pool,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import { applyDeclarativeJobsets, refuseDynamicRunCommand, type AppliedSpec } from './apply-declarative-spec';
import {
  DeclarativeSpecError,
  parseJobsetsSpec,
  parseSpecJson,
  type DeclarativeJobset,
} from './declarative-spec';

/** A spec larger than this is refused rather than read into memory. */
const MAX_SPEC_BYTES = 16 * 1024 * 1024;

export interface DeclarativeBuildOutcome {
  readonly projectId: number;
  readonly buildId: number;
  readonly applied?: AppliedSpec;
  readonly error?: string;
}

function readSpec(b: PendingDeclarativeBuild): DeclarativeJobset[] {
  const what = `the output of build ${b.buildId} (.jobsets:jobsets)`;
  if (b.outputPath === null) throw new DeclarativeSpecError(`${what} has no output`);
  let size: number;
  try {
    size = statSync(b.outputPath).size;
  } catch {
    throw new DeclarativeSpecError(`${what}, ${b.outputPath}, is not in the local Nix store`);
  }
  if (size > MAX_SPEC_BYTES) throw new DeclarativeSpecError(`${what} is larger than ${MAX_SPEC_BYTES} bytes`);
  let text: string;
  try {
    text = readFileSync(b.outputPath, 'utf8');
  } catch (e) {
    throw new DeclarativeSpecError(
      `${what}, ${b.outputPath}, cannot be read as a file: ${(e as Error).message}`,
    );
  }
  return parseJobsetsSpec(parseSpecJson(text, what), what);
}

async function applyOne(
  pool: Pool,
  b: PendingDeclarativeBuild,
  dynamicRunCommand: boolean,
): Promise<DeclarativeBuildOutcome | undefined> {
  let jobsets: DeclarativeJobset[] | undefined;
  let error: string | undefined;
  try {
    jobsets = readSpec(b);
    await refuseDynamicRunCommand(pool, b.projectId, jobsets, dynamicRunCommand);
  } catch (e) {
    jobsets = undefined;
    if (!(e instanceof DeclarativeSpecError)) throw e;
    error = e.message;
  }
  return withTransaction(pool, async (tx) => {
    if (!(await lockDeclarativeBuild(tx, b.projectId, b.buildId))) return undefined;
    await setDeclarativeAppliedBuild(tx, b.projectId, b.buildId);
    if (jobsets === undefined) {
      await setJobsetError(tx, b.jobsetsJobsetId, error ?? 'the spec could not be read');
      return { projectId: b.projectId, buildId: b.buildId, error };
    }
    const applied = await applyDeclarativeJobsets(tx, b.projectId, jobsets);
    await clearJobsetError(tx, b.jobsetsJobsetId);
    return { projectId: b.projectId, buildId: b.buildId, applied };
  });
}

/** Applies every pending "jobsets" build; what each gave. */
export async function applyDeclarativeBuilds(
  pool: Pool,
  logger: Logger,
  /** notifications.dynamic_run_command: specs may enable dynamic RunCommand. */
  dynamicRunCommand = false,
): Promise<DeclarativeBuildOutcome[]> {
  const outcomes: DeclarativeBuildOutcome[] = [];
  for (const b of await pendingDeclarativeBuilds(pool)) {
    const outcome = await applyOne(pool, b, dynamicRunCommand);
    if (!outcome) continue;
    outcomes.push(outcome);
    if (outcome.error !== undefined) {
      logger.warn('declarative spec rejected', {
        project: b.projectName,
        buildId: b.buildId,
        error: outcome.error,
      });
    } else {
      logger.info('declarative spec applied', {
        project: b.projectName,
        buildId: b.buildId,
        ...outcome.applied,
      });
    }
  }
  return outcomes;
}
