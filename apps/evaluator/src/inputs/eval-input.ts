// An `eval` input: `project:jobset`'s newest succeeded evaluation whose builds have all finished,
// as Hydra passes it: an attribute set of job name → the "out" output of each succeeded build.
import { latestFinishedEvaluationOutputs } from '@fc/db';
import { FetchError } from '../git/git-fetch';
import type { InputFetcher } from './input-fetcher';

export const fetchEvalInput: InputFetcher = async (input, context) => {
  const parts = input.value.trim().split(':');
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    throw new FetchError(
      `input ${input.name}: an eval value is "PROJECT:JOBSET", got ${JSON.stringify(input.value)}`,
    );
  }
  const [project, jobset] = parts as [string, string];
  const found = await latestFinishedEvaluationOutputs(context.db, { project, jobset });
  if (found === undefined) {
    throw new FetchError(`input ${input.name}: jobset ‘${input.value}’ does not have a finished evaluation`);
  }
  return {
    input: { name: input.name, type: 'eval', jobs: found.jobs },
    revision: { type: 'eval', jobset: input.value, evaluation: found.evaluationId },
  };
};
