// The evaluate-jobset worker: fetch, unchanged-input check, evaluation, recording, with progress
// and a heartbeat on the evaluation row. Failures the user can fix (fetch, evaluation) are recorded
// and the job completes; anything else (the database) throws, and pg-boss retries the same job,
// whose retry reuses the evaluation row (queue_job_id).
// The ".jobsets" jobset of a declarative project is first configured from its spec file (or, for a
// static spec, the spec's jobsets are written and the evaluation records no builds); see
// ../declarative.
import { join } from 'node:path';
import {
  DECLARATIVE_JOBSETS_JOB,
  DECLARATIVE_JOBSETS_JOBSET,
  claimEvaluation,
  clearJobsetError,
  disableOneShotJobset,
  finishEvaluationFailed,
  finishEvaluationUnchanged,
  heartbeatEvaluation,
  isConnectionError,
  jobsetForEvaluation,
  lastEvaluatedInputsHash,
  lastSucceededEvaluationId,
  markJobsetChecked,
  setEvaluationInputs,
  setEvaluationPhase,
  setEvaluationProgress,
  setJobsetError,
  withTransaction,
  type EvaluationJobsetRow,
  jobsetSecretSources,
  type Pool,
  type Queryable,
} from '@fc/db';
import { secretRedactor, secretsOf, type Redact } from '@fc/core';
import {
  announceEvaluationCached,
  announceEvaluationFailed,
  announceEvaluationStarted,
  evaluationTraceId,
  publishEvaluationNotice,
} from '@fc/builds';
import type { Logger } from '@fc/logging';
import type { RecordedEvaluationCounts } from '@fc/metrics';
import { aggregateFailure, evaluateJobset, JobsetEvaluationError, type EvaluatorChoice } from '@fc/nix';
import type { Boss, JobPayload, QueueName } from '@fc/queue';
import {
  applyDeclarativeJobsets,
  refuseDynamicRunCommand,
  writeDeclarativeJobset,
} from '../declarative/apply-declarative-spec';
import { fetchDeclarativeSpec, type DeclarativeSource } from '../declarative/declarative-input';
import {
  DeclarativeSpecError,
  isStaticSpec,
  parseJobsetSpec,
  parseJobsetsSpec,
} from '../declarative/declarative-spec';
import { FetchError } from '../git/git-fetch';
import { fetchInputs, type FetchedInputs } from '../inputs/fetch-inputs';
import type { EvaluatorForges } from '../inputs/input-fetcher';
import { checkoutBase, processGroupDir } from '../work-dirs';
import { refuseProtectedSources, sourceProtection, type ProtectedPath } from '../inputs/protected-paths';
import { sourceOf } from './evaluation-source';
import { inputsHash } from './inputs-hash';
import { EvaluationRecorder } from './evaluation-recorder';
import { UserFacingError } from './user-facing-error';

export interface EvaluatorSettings {
  readonly workDir: string;
  /** seconds */
  readonly gitTimeout: number;
  /** seconds */
  readonly nixTimeout: number;
  readonly restrictEval: boolean;
  readonly allowIfd: boolean;
  /** ms between heartbeats of a running evaluation */
  readonly heartbeatMs: number;
  /** nix-eval-jobs when main found it on PATH, else the built-in walker (the default). */
  readonly evaluator?: EvaluatorChoice;
  /** notifications.dynamic_run_command: declarative specs may enable dynamic RunCommand. */
  readonly dynamicRunCommand?: boolean;
  /**
   * GitHub or Gitea statuses configured: each new build's queueing is reported too (pending), and a
   * pull request's evaluation gets its summary status (notify-evaluation).
   */
  readonly pendingStatuses?: boolean;
  /** The forges' APIs, for githubpulls and giteapulls inputs. */
  readonly forges?: EvaluatorForges;
  /** FC's files no jobset may name as a source, besides the work directory (protected-paths.ts). */
  readonly protectedPaths?: readonly ProtectedPath[];
  /** The home directory of FC's user, whose hidden files no jobset may name as a source. */
  readonly home?: string;
}

export interface EvaluatorDeps {
  readonly pool: Pool;
  readonly boss: Boss;
  readonly logger: Logger;
  readonly settings: EvaluatorSettings;
  /** Told what each recorded evaluation found (fc-evaluator's metrics). */
  readonly onRecorded?: (r: RecordedEvaluationCounts) => void;
  /**
   * Aborted when a stopping evaluator's drain deadline has passed and its children are killed: a
   * failure then is the stop's doing, not the jobset's, and the evaluation is handed back.
   */
  readonly stopping?: AbortSignal;
}

/** Thrown instead of recording a failure caused by the evaluator stopping; pg-boss retries the job. */
export class EvaluationHandedBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationHandedBack';
  }
}

export type EvaluationOutcome =
  'gone' | 'already-finished' | 'fetch-failed' | 'unchanged' | 'eval-failed' | 'succeeded';

// Each progress write is a new version of the evaluation's row, which the recording transaction
// (open until the evaluation commits) keeps from being pruned and walks past in the foreign-key check
// of every build it inserts: written every 500 ms, the 250,000 builds of `npm run bench -- evaluator`
// cost 80 s of PostgreSQL CPU; every 5 s, 22 s.
const PROGRESS_EVERY_MS = 5000;

function isJobsetsJobset(jobset: EvaluationJobsetRow): boolean {
  return jobset.name === DECLARATIVE_JOBSETS_JOBSET && jobset.declarativeFile !== null;
}

export async function evaluateJobsetJob(
  deps: EvaluatorDeps,
  queueJobId: string,
  payload: JobPayload<typeof QueueName.EvaluateJobset>,
): Promise<EvaluationOutcome> {
  const { pool, settings } = deps;
  let jobset = await jobsetForEvaluation(pool, payload.jobsetId);
  if (!jobset) return 'gone';
  const forced = payload.force || jobset.forceEval;
  const claim = await claimEvaluation(pool, {
    jobsetId: jobset.id,
    projectId: jobset.projectId,
    queueJobId,
    forced,
  });
  if (claim.status !== 'running') return 'already-finished';
  const evaluationId = claim.id;
  const logger = deps.logger.child({
    component: 'evaluate-jobset',
    jobsetId: jobset.id,
    evaluationId,
    queueJobId,
  });
  logger.info(claim.created ? 'evaluation started' : 'evaluation resumed after a retry', {
    forced,
    reason: payload.reason,
  });
  await markJobsetChecked(pool, jobset.id);
  const traceId = evaluationTraceId(evaluationId, new Date());
  await announceEvaluationStarted(pool, traceId, jobset.id);
  const heartbeat = setInterval(() => {
    heartbeatEvaluation(pool, evaluationId).catch((e: unknown) =>
      logger.log(isConnectionError(e) ? 'debug' : 'warn', 'heartbeat failed', {
        error: e instanceof Error ? e.message : String(e),
      }),
    );
  }, settings.heartbeatMs);
  const jobsetId = jobset.id;
  // What the jobset holds secret never reaches a stored error or FC's log (README, "Security").
  let redact = await jobsetRedactor(pool, jobsetId);
  // A pull request's evaluation runs restricted whatever restrict_eval says: it is someone else's code.
  const restrictEval = settings.restrictEval || jobset.pullRequest;
  // A pull request's evaluation reports its outcome as the summary status at the head.
  const evaluationNotice = (settings.pendingStatuses ?? false) && jobset.pullRequest;
  const fail = async (message: string, outcome: EvaluationOutcome): Promise<EvaluationOutcome> => {
    const clean = redact(message);
    if (deps.stopping?.aborted) {
      throw new EvaluationHandedBack(`fc-evaluator stopped during the evaluation (${clean})`);
    }
    await withTransaction(pool, async (tx) => {
      await finishEvaluationFailed(tx, evaluationId, clean);
      await setJobsetError(tx, jobsetId, clean);
      await disableOneShotJobset(tx, jobsetId);
      await announceEvaluationFailed(tx, traceId, jobsetId);
      if (evaluationNotice) await publishEvaluationNotice(tx, deps.boss, evaluationId);
    });
    logger.warn(outcome === 'fetch-failed' ? 'fetch failed' : 'evaluation failed', { error: clean });
    return outcome;
  };
  try {
    await setEvaluationPhase(pool, evaluationId, 'fetching');
    const fetchStart = Date.now();
    let fetched: FetchedInputs;
    let source: ReturnType<typeof sourceOf>;
    let declarative: DeclarativeSource | undefined;
    try {
      refuseProtectedSources(jobset, sourceProtection(settings));
      if (isJobsetsJobset(jobset)) {
        const what = `the declarative spec ${jobset.declarativeFile ?? ''}`;
        declarative = await fetchDeclarativeSpec(jobset, {
          dir: join(checkoutBase(settings.workDir, jobset.id), 'declarative'),
          timeoutMs: settings.gitTimeout * 1000,
          processGroupDir: processGroupDir(settings.workDir),
        });
        if (isStaticSpec(declarative.spec)) {
          // Hydra's static spec: the file lists the jobsets themselves; nothing is evaluated or built.
          const jobsets = parseJobsetsSpec(declarative.spec, what);
          const projectId = jobset.projectId;
          await refuseDynamicRunCommand(pool, projectId, jobsets, settings.dynamicRunCommand ?? false);
          const applied = await withTransaction(pool, (tx) =>
            applyDeclarativeJobsets(tx, projectId, jobsets),
          );
          logger.info('static declarative spec applied', { ...applied });
          return await recordStaticSpec(
            deps,
            jobset,
            { evaluationId, traceId },
            declarative,
            Date.now() - fetchStart,
          );
        }
        let own;
        try {
          own = parseJobsetSpec(DECLARATIVE_JOBSETS_JOBSET, declarative.spec);
        } catch (e) {
          throw e instanceof DeclarativeSpecError ? new DeclarativeSpecError(`${what}: ${e.message}`) : e;
        }
        const projectId = jobset.projectId;
        await refuseDynamicRunCommand(pool, projectId, [own], settings.dynamicRunCommand ?? false);
        await withTransaction(pool, (tx) => writeDeclarativeJobset(tx, projectId, own));
        jobset = await jobsetForEvaluation(pool, jobsetId);
        redact = await jobsetRedactor(pool, jobsetId);
        if (!jobset) return 'gone';
        refuseProtectedSources(jobset, sourceProtection(settings));
      }
      fetched = await fetchInputs(pool, jobset, settings, declarative);
      source = sourceOf(jobset, fetched);
    } catch (e) {
      if (e instanceof FetchError || e instanceof UserFacingError || e instanceof DeclarativeSpecError)
        return await fail(e.message, 'fetch-failed');
      throw e;
    }
    const current = jobset;
    const hash = inputsHash({
      flakeMode: current.flakeMode,
      nixExpression: current.nixExpression,
      // Only when set, so that jobsets without one keep the hashes they had.
      ...(current.nixExpressionInput === null ? {} : { nixExpressionInput: current.nixExpressionInput }),
      revision: fetched.revision,
      inputs: fetched.revisions,
      restrictEval,
      allowIfd: settings.allowIfd,
    });
    const checkoutDurationMs = Date.now() - fetchStart;
    await setEvaluationInputs(pool, evaluationId, {
      revision: fetched.revision,
      inputRevisions: fetched.revisions,
      inputsHash: hash,
      flakeUrl: source.flakeUrl,
      checkoutDurationMs,
    });
    if (!forced && (await lastEvaluatedInputsHash(pool, jobsetId, evaluationId)) === hash) {
      await finishUnchanged(pool, { jobsetId, evaluationId, traceId });
      await disableOneShotJobset(pool, jobsetId);
      logger.info('inputs unchanged', { revision: fetched.revision });
      return 'unchanged';
    }

    await setEvaluationPhase(pool, evaluationId, 'evaluating');
    const evalStart = Date.now();
    let lastProgress = 0;
    let jobsEvaluated = 0;
    let progressWrite: Promise<void> = Promise.resolve();
    // How long Nix's output waited on the recording (while a batch is held, Nix is not read).
    let heldMs = 0;
    // Jobs are recorded as they are evaluated, in one transaction that commits at the end.
    const recorder = new EvaluationRecorder(pool, deps.boss, {
      evaluationId,
      traceId,
      notices: { pendingStatuses: settings.pendingStatuses ?? false },
      evaluationNotice,
      projectId: current.projectId,
      jobsetId,
    });
    try {
      const evaluation = await evaluateJobset(
        {
          workDir: settings.workDir,
          source: source.source,
          inputs: fetched.inputs,
          restrictEval,
          allowIfd: settings.allowIfd,
          timeoutMs: settings.nixTimeout * 1000,
          processGroupDir: processGroupDir(settings.workDir),
          onJob: (job) => {
            const held = recorder.add(job);
            if (!held) return;
            const t = performance.now();
            return held.finally(() => (heldMs += performance.now() - t));
          },
          onProgress: (n) => {
            jobsEvaluated = n;
            const now = Date.now();
            if (now - lastProgress < PROGRESS_EVERY_MS) return;
            lastProgress = now;
            progressWrite = progressWrite
              .then(() => setEvaluationProgress(pool, evaluationId, n))
              .catch(() => undefined);
          },
        },
        settings.evaluator,
      ).catch((e: unknown) => {
        if (e instanceof JobsetEvaluationError) return e;
        throw e;
      });
      await progressWrite;
      if (evaluation instanceof JobsetEvaluationError) {
        await recorder.close();
        return await fail(evaluation.message, 'eval-failed');
      }
      for (const line of evaluation.log) logger[line.level](redact(line.message));
      const brokenAggregate = aggregateFailure(evaluation);
      if (brokenAggregate !== null) {
        await recorder.close();
        return await fail(brokenAggregate, 'eval-failed');
      }
      const evalDurationMs = Date.now() - evalStart;
      if (declarative) {
        const names = [...evaluation.firstJobNames, ...evaluation.errors.keys()];
        if (evaluation.jobCount + evaluation.errors.size !== 1 || names[0] !== DECLARATIVE_JOBSETS_JOB) {
          await recorder.close();
          return await fail(
            `the ${DECLARATIVE_JOBSETS_JOBSET} jobset must have exactly one job, named "${DECLARATIVE_JOBSETS_JOB}"; ` +
              `it has ${names.length === 0 ? 'none' : names.sort().join(', ')}`,
            'eval-failed',
          );
        }
      }

      await setEvaluationPhase(pool, evaluationId, 'recording');
      const recorded = await recorder.finish({
        errors: new Map([...evaluation.errors].map(([job, message]) => [job, redact(message)])),
        constituents: evaluation.constituents,
        jobsEvaluated: Math.max(jobsEvaluated, evaluation.jobCount + evaluation.errors.size),
        evalDurationMs,
      });
      if (!recorded.recorded) return 'already-finished';
      deps.onRecorded?.({
        jobs: evaluation.jobCount,
        newBuilds: recorded.nrNewBuilds,
        jobErrors: evaluation.errors.size,
        checkoutDurationMs,
        evalDurationMs,
      });
      await clearJobsetError(pool, jobsetId);
      await disableOneShotJobset(pool, jobsetId);
      for (const r of recorded.removedPullRequestJobsets) {
        logger.info('closed pull request’s jobset removed after keep_nr evaluations of its template', {
          pullRequest: r.number,
          jobset: r.jobset,
        });
      }
      logger.info('evaluation succeeded', {
        builds: recorded.nrBuilds,
        newBuilds: recorded.nrNewBuilds,
        cached: recorded.nrCached,
        errors: evaluation.errors.size,
        processes: evaluation.processes,
        evalDurationMs,
        // Recording overlaps the evaluation: from the first job to the commit, and its busy time.
        recordingMs: Math.round(recorded.times.sinceFirstJobMs),
        recordingBusyMs: Math.round(recorded.times.busyMs),
        recordingPhasesMs: recorded.times.phasesMs,
        evaluatorHeldMs: Math.round(heldMs),
      });
      return 'succeeded';
    } finally {
      await recorder.close();
    }
  } finally {
    clearInterval(heartbeat);
  }
}

/** A static spec's evaluation: its input recorded, no jobs; `unchanged` when the input is. */
async function recordStaticSpec(
  deps: EvaluatorDeps,
  jobset: EvaluationJobsetRow,
  { evaluationId, traceId }: { evaluationId: number; traceId: string },
  declarative: DeclarativeSource,
  checkoutDurationMs: number,
): Promise<EvaluationOutcome> {
  const inputRevisions = { declInput: declarative.revision };
  const hash = inputsHash({
    flakeMode: false,
    nixExpression: jobset.declarativeFile ?? '',
    revision: null,
    inputs: inputRevisions,
    restrictEval: deps.settings.restrictEval,
    allowIfd: deps.settings.allowIfd,
  });
  await setEvaluationInputs(deps.pool, evaluationId, {
    revision: null,
    inputRevisions,
    inputsHash: hash,
    flakeUrl: null,
    checkoutDurationMs,
  });
  if ((await lastEvaluatedInputsHash(deps.pool, jobset.id, evaluationId)) === hash) {
    await finishUnchanged(deps.pool, { jobsetId: jobset.id, evaluationId, traceId });
    return 'unchanged';
  }
  const recorder = new EvaluationRecorder(deps.pool, deps.boss, {
    evaluationId,
    traceId,
    projectId: jobset.projectId,
    jobsetId: jobset.id,
  });
  const recorded = await recorder
    .finish({ errors: new Map(), constituents: new Map(), jobsEvaluated: 0, evalDurationMs: 0 })
    .finally(() => recorder.close());
  if (!recorded.recorded) return 'already-finished';
  await clearJobsetError(deps.pool, jobset.id);
  await disableOneShotJobset(deps.pool, jobset.id);
  return 'succeeded';
}

/** Inputs unchanged: the evaluation records nothing and stands for the jobset's latest one (eval_cached). */
async function finishUnchanged(
  pool: Pool,
  e: { jobsetId: number; evaluationId: number; traceId: string },
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await finishEvaluationUnchanged(tx, e.evaluationId);
    await clearJobsetError(tx, e.jobsetId);
    const standing = await lastSucceededEvaluationId(tx, e.jobsetId, e.evaluationId);
    await announceEvaluationCached(tx, e.traceId, e.jobsetId, standing ?? e.evaluationId);
  });
}

/** Hides the jobset's secrets (its secret inputs' values, its URLs' credentials) in a text. */
async function jobsetRedactor(db: Queryable, jobsetId: number): Promise<Redact> {
  return secretRedactor(secretsOf(await jobsetSecretSources(db, jobsetId)));
}
