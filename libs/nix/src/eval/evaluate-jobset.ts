// Evaluating a jobset: the jobs, per-job errors verbatim from Nix, and aggregates resolved.
import { BuiltinEvaluator } from './builtin-evaluator';
import { resolveAggregates, type ResolvedAggregates } from './aggregates';
import type { EvalJobsRequest } from './eval-types';

export interface JobsetEvaluation extends ResolvedAggregates {
  /** How many nix processes it took (1 when nothing broke the walk). */
  readonly processes: number;
}

/** Throws JobsetEvaluationError when the jobset as a whole does not evaluate. */
export async function evaluateJobset(request: EvalJobsRequest): Promise<JobsetEvaluation> {
  const raw = await new BuiltinEvaluator(request).run();
  return { ...resolveAggregates(raw.jobs, raw.errors), processes: raw.processes };
}
