// Evaluating a jobset: the jobs, per-job errors verbatim from Nix, and aggregates resolved. The
// evaluator is nix-eval-jobs when the caller found it on PATH (selectEvaluator), else FC's built-in
// walker over nix-instantiate. Jobs stream to the caller (request.onJob) as they are evaluated; only
// their names and derivations are kept (JobIndex), and the aggregates, which are passed on last, once
// every job they may name is known.
import { BuiltinEvaluator } from './builtin-evaluator';
import { resolveAggregateJobs, type ResolvedAggregateJobs } from './aggregates';
import { JobsetEvaluationError, type EvalJobsRequest, type EvaluatedJob } from './eval-types';
import { JobIndex } from './job-index';
import { jobLimitProblem, recordedJobName } from './job-limits';
import { findExecutable, NIX_EVAL_JOBS, runNixEvalJobs } from './nix-eval-jobs';
import { evaluatedPure, readExperimentalFeatures } from './restricted-eval';

export interface JobsetEvaluation extends Omit<ResolvedAggregateJobs, 'aggregates'> {
  /** How many jobs were passed to onJob (aggregates with broken constituents are not). */
  readonly jobCount: number;
  /** The first job names, in evaluation order (at most FIRST_NAMES). */
  readonly firstJobNames: readonly string[];
  /** How many nix processes it took (1 when nothing broke the walk). */
  readonly processes: number;
}

const FIRST_NAMES = 20;

/** Which evaluator runs jobsets: nix-eval-jobs at its path, or the built-in walker. */
export type EvaluatorChoice = { readonly kind: 'nix-eval-jobs'; readonly path: string } | { readonly kind: 'builtin' };

/** nix-eval-jobs when it is on `searchPath` (the daemon's PATH), else the built-in walker. */
export function selectEvaluator(searchPath: string): EvaluatorChoice {
  const path = findExecutable(NIX_EVAL_JOBS, searchPath);
  return path === null ? { kind: 'builtin' } : { kind: 'nix-eval-jobs', path };
}

/** Throws JobsetEvaluationError when the jobset as a whole does not evaluate. */
export async function evaluateJobset(
  request: EvalJobsRequest,
  evaluator: EvaluatorChoice = { kind: 'builtin' },
): Promise<JobsetEvaluation> {
  const index = new JobIndex();
  const aggregates: EvaluatedJob[] = [];
  const firstJobNames: string[] = [];
  let rootIsDerivation = false;
  // Jobs FC cannot record (job-limits.ts): errors of their own, the rest recorded.
  const refused = new Map<string, string>();
  const onJob = (job: EvaluatedJob): void | Promise<void> => {
    // The expression itself is a derivation (the careful walk names it ""): no job.
    if (job.attr === '') {
      rootIsDerivation = true;
      return;
    }
    const problem = jobLimitProblem(job);
    if (problem !== undefined) {
      refused.set(recordedJobName(job.attr), problem);
      return;
    }
    if (!index.add(job)) return;
    if (firstJobNames.length < FIRST_NAMES) firstJobNames.push(job.attr);
    if (job.isAggregate) aggregates.push(job);
    else return request.onJob(job);
  };
  const experimentalFeatures =
    request.restrictEval && request.source.kind === 'legacy' ? await readExperimentalFeatures() : undefined;
  const streamed = { ...request, onJob, ...(experimentalFeatures ? { experimentalFeatures } : {}) };
  // nix-eval-jobs takes the walker as a file, which pure mode does not read.
  const raw =
    evaluator.kind === 'nix-eval-jobs' && !evaluatedPure(request)
      ? await runNixEvalJobs(evaluator.path, streamed)
      : await new BuiltinEvaluator(streamed, index).run();
  if (rootIsDerivation) {
    throw new JobsetEvaluationError(
      'the jobset expression is a single derivation; it must be an attribute set of jobs (e.g. { job = <derivation>; })',
    );
  }
  const errors = new Map([...raw.errors].map(([name, message]) => [recordedJobName(name), message]));
  for (const [name, problem] of refused) errors.set(name, problem);
  const resolved = resolveAggregateJobs(aggregates, index, errors, raw.aggregateErrors);
  for (const job of resolved.aggregates) await request.onJob(job);
  const { aggregates: kept, ...rest } = resolved;
  return {
    ...rest,
    jobCount: index.size - aggregates.length + kept.length,
    firstJobNames,
    log: [...(raw.aggregateLog ?? []), ...resolved.log],
    processes: raw.processes,
  };
}
