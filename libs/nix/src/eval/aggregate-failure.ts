// When broken aggregates fail the whole evaluation, as hydra-eval-jobset decides: it records the
// evaluation's builds first and dies on the first broken aggregate it meets, so the evaluation fails
// (nothing recorded, the jobset's error is Hydra's message) when there are builds to record. With
// none (every job broken), the evaluation succeeds with per-job errors.
import type { ResolvedAggregateJobs } from './aggregates';

/** Hydra's jobset error for the evaluation, or null when it is recorded. */
export function aggregateFailure(
  evaluation: Pick<ResolvedAggregateJobs, 'aggregateErrors'> & { readonly jobCount: number },
): string | null {
  if (evaluation.jobCount === 0) return null;
  for (const [name, error] of evaluation.aggregateErrors) {
    return `aggregate job ‘${name}’ failed with the error: ${error}`;
  }
  return null;
}
