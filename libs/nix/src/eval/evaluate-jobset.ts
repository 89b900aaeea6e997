// Evaluating a jobset: the jobs, per-job errors verbatim from Nix, and aggregates resolved. The
// evaluator is nix-eval-jobs when the caller found it on PATH (selectEvaluator), else FC's built-in
// walker over nix-instantiate.
import { BuiltinEvaluator } from './builtin-evaluator';
import { resolveAggregates, type ResolvedAggregates } from './aggregates';
import type { EvalJobsRequest } from './eval-types';
import { findExecutable, NIX_EVAL_JOBS, runNixEvalJobs } from './nix-eval-jobs';

export interface JobsetEvaluation extends ResolvedAggregates {
  /** How many nix processes it took (1 when nothing broke the walk). */
  readonly processes: number;
}

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
  const raw =
    evaluator.kind === 'nix-eval-jobs'
      ? await runNixEvalJobs(evaluator.path, request)
      : await new BuiltinEvaluator(request).run();
  const resolved = resolveAggregates(raw.jobs, raw.errors, raw.aggregateErrors);
  return { ...resolved, log: [...(raw.aggregateLog ?? []), ...resolved.log], processes: raw.processes };
}
