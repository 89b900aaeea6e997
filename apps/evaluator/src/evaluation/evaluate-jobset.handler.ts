// The evaluate-jobset worker: fetch, unchanged-input check, evaluation, recording, with progress
// and a heartbeat on the evaluation row. Failures the user can fix (fetch, evaluation) are recorded
// and the job completes; anything else (the database) throws, and pg-boss retries the same job,
// whose retry reuses the evaluation row (queue_job_id).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  claimEvaluation,
  clearJobsetError,
  disableOneShotJobset,
  finishEvaluationFailed,
  finishEvaluationUnchanged,
  heartbeatEvaluation,
  jobsetForEvaluation,
  lastEvaluatedInputsHash,
  markJobsetChecked,
  setEvaluationInputs,
  setEvaluationPhase,
  setEvaluationProgress,
  setJobsetError,
  type EvaluationJobsetRow,
  type Pool,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import {
  evaluateJobset,
  JobsetEvaluationError,
  type EvalInput,
  type EvalSource,
  type EvaluatorChoice,
} from '@fc/nix';
import type { Boss, JobPayload, QueueName } from '@fc/queue';
import { FetchError, fetchGitCheckout } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import { inputsHash } from './inputs-hash';
import { recordEvaluation } from './record-evaluation';

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
}

export interface EvaluatorDeps {
  readonly pool: Pool;
  readonly boss: Boss;
  readonly logger: Logger;
  readonly settings: EvaluatorSettings;
}

export type EvaluationOutcome =
  'gone' | 'already-finished' | 'fetch-failed' | 'unchanged' | 'eval-failed' | 'succeeded';

const PROGRESS_EVERY_MS = 500;

/** Where the evaluator records the process groups of its children (reaped on the next start). */
export function processGroupDir(workDir: string): string {
  return join(workDir, 'process-groups');
}

/** Fails the evaluation and the jobset with a message the user sees (credentials removed). */
class UserFacingError extends Error {}

function checkExpressionPath(p: string): string {
  const clean = p.replace(/^\.\//, '');
  if (isAbsolute(clean) || clean.split('/').includes('..') || clean.startsWith('-')) {
    throw new UserFacingError(
      `invalid Nix expression path ${p}: it must be a relative path inside the repository`,
    );
  }
  return clean;
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

interface FetchedInputs {
  readonly revision: string;
  readonly checkout: string;
  readonly inputs: EvalInput[];
  readonly revisions: Record<string, unknown>;
}

async function fetchInputs(jobset: EvaluationJobsetRow, settings: EvaluatorSettings): Promise<FetchedInputs> {
  const base = join(settings.workDir, 'checkouts', String(jobset.id));
  const timeoutMs = settings.gitTimeout * 1000;
  const repo = await fetchGitCheckout({
    url: jobset.repositoryUrl,
    branch: jobset.branch,
    dir: join(base, 'repository'),
    timeoutMs,
    processGroupDir: processGroupDir(settings.workDir),
  });
  const inputs: EvalInput[] = [];
  const revisions: Record<string, unknown> = {
    repository: {
      uri: redactCredentials(jobset.repositoryUrl),
      branch: jobset.branch,
      rev: repo.rev,
      revCount: repo.revCount,
    },
  };
  for (const i of jobset.inputs) {
    switch (i.type) {
      case 'git': {
        const c = await fetchGitCheckout({
          url: i.value,
          branch: i.branch,
          dir: join(base, `input-${shortHash(i.name)}`),
          timeoutMs,
          processGroupDir: processGroupDir(settings.workDir),
        });
        inputs.push({
          name: i.name,
          type: 'git',
          path: c.path,
          uri: redactCredentials(i.value),
          rev: c.rev,
          revCount: c.revCount,
          shortRev: c.shortRev,
        });
        revisions[i.name] = {
          type: 'git',
          uri: redactCredentials(i.value),
          branch: i.branch,
          rev: c.rev,
          revCount: c.revCount,
        };
        break;
      }
      case 'path':
        if (!isAbsolute(i.value) || !existsSync(i.value)) {
          throw new FetchError(`input ${i.name}: path ${i.value} does not exist`);
        }
        inputs.push({ name: i.name, type: 'path', path: i.value, uri: i.value });
        revisions[i.name] = { type: 'path', value: i.value };
        break;
      case 'boolean':
        inputs.push({ name: i.name, type: 'boolean', value: i.value === 'true' || i.value === '1' });
        revisions[i.name] = { type: 'boolean', value: i.value };
        break;
      case 'string':
      case 'nix':
        inputs.push({ name: i.name, type: i.type, value: i.value });
        revisions[i.name] = { type: i.type, value: i.value };
        break;
    }
  }
  return { revision: repo.rev, checkout: repo.path, inputs, revisions };
}

function sourceOf(
  jobset: EvaluationJobsetRow,
  fetched: FetchedInputs,
): { source: EvalSource; flakeUrl: string | null } {
  const expr = checkExpressionPath(jobset.nixExpression);
  if (!jobset.flakeMode)
    return { source: { kind: 'legacy', checkout: fetched.checkout, file: expr }, flakeUrl: null };
  // A flake jobset's expression names the flake's directory in the repository ("." or "flake.nix": the root).
  const dir = expr.replace(/\/?flake\.nix$/, '').replace(/\/$/, '');
  const query = `rev=${fetched.revision}${dir && dir !== '.' ? `&dir=${encodeURIComponent(dir)}` : ''}`;
  return {
    source: {
      kind: 'flake',
      flakeRef: `git+file://${fetched.checkout}?${query}`,
      allowedPaths: [fetched.checkout],
    },
    flakeUrl: `git+${redactCredentials(jobset.repositoryUrl)}?${query}`,
  };
}

export async function evaluateJobsetJob(
  deps: EvaluatorDeps,
  queueJobId: string,
  payload: JobPayload<typeof QueueName.EvaluateJobset>,
): Promise<EvaluationOutcome> {
  const { pool, settings } = deps;
  const jobset = await jobsetForEvaluation(pool, payload.jobsetId);
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
  const heartbeat = setInterval(() => {
    heartbeatEvaluation(pool, evaluationId).catch((e: unknown) =>
      logger.warn('heartbeat failed', { error: e instanceof Error ? e.message : String(e) }),
    );
  }, settings.heartbeatMs);
  const fail = async (message: string, outcome: EvaluationOutcome): Promise<EvaluationOutcome> => {
    const clean = redactCredentials(message);
    await finishEvaluationFailed(pool, evaluationId, clean);
    await setJobsetError(pool, jobset.id, clean);
    await disableOneShotJobset(pool, jobset.id);
    logger.warn(outcome === 'fetch-failed' ? 'fetch failed' : 'evaluation failed', { error: clean });
    return outcome;
  };
  try {
    await setEvaluationPhase(pool, evaluationId, 'fetching');
    const fetchStart = Date.now();
    let fetched: FetchedInputs;
    let source: ReturnType<typeof sourceOf>;
    try {
      fetched = await fetchInputs(jobset, settings);
      source = sourceOf(jobset, fetched);
    } catch (e) {
      if (e instanceof FetchError || e instanceof UserFacingError)
        return await fail(e.message, 'fetch-failed');
      throw e;
    }
    const hash = inputsHash({
      flakeMode: jobset.flakeMode,
      nixExpression: jobset.nixExpression,
      revision: fetched.revision,
      inputs: fetched.revisions,
      restrictEval: settings.restrictEval,
      allowIfd: settings.allowIfd,
    });
    await setEvaluationInputs(pool, evaluationId, {
      revision: fetched.revision,
      inputRevisions: fetched.revisions,
      inputsHash: hash,
      flakeUrl: source.flakeUrl,
      checkoutDurationMs: Date.now() - fetchStart,
    });
    if (!forced && (await lastEvaluatedInputsHash(pool, jobset.id, evaluationId)) === hash) {
      await finishEvaluationUnchanged(pool, evaluationId);
      await clearJobsetError(pool, jobset.id);
      await disableOneShotJobset(pool, jobset.id);
      logger.info('inputs unchanged', { revision: fetched.revision });
      return 'unchanged';
    }

    await setEvaluationPhase(pool, evaluationId, 'evaluating');
    const evalStart = Date.now();
    let lastProgress = 0;
    let jobsEvaluated = 0;
    let progressWrite: Promise<void> = Promise.resolve();
    const evaluation = await evaluateJobset(
      {
        workDir: settings.workDir,
        source: source.source,
        inputs: fetched.inputs,
        restrictEval: settings.restrictEval,
        allowIfd: settings.allowIfd,
        timeoutMs: settings.nixTimeout * 1000,
        processGroupDir: processGroupDir(settings.workDir),
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
    if (evaluation instanceof JobsetEvaluationError) return await fail(evaluation.message, 'eval-failed');
    const evalDurationMs = Date.now() - evalStart;

    await setEvaluationPhase(pool, evaluationId, 'recording');
    const recorded = await recordEvaluation(pool, deps.boss, {
      evaluationId,
      projectId: jobset.projectId,
      jobsetId: jobset.id,
      evaluation,
      jobsEvaluated: Math.max(jobsEvaluated, evaluation.jobs.length + evaluation.errors.size),
      evalDurationMs,
    });
    if (!recorded.recorded) return 'already-finished';
    await clearJobsetError(pool, jobset.id);
    await disableOneShotJobset(pool, jobset.id);
    logger.info('evaluation succeeded', {
      builds: recorded.nrBuilds,
      newBuilds: recorded.nrNewBuilds,
      cached: recorded.nrCached,
      errors: evaluation.errors.size,
      processes: evaluation.processes,
      evalDurationMs,
    });
    return 'succeeded';
  } finally {
    clearInterval(heartbeat);
  }
}
