// An `eval` input, in Hydra's three forms: an evaluation id; `project:jobset`, its newest succeeded
// evaluation whose builds have all finished; `project:jobset:job`, the newest such evaluation with
// new builds in which the job succeeded. Passed as Hydra passes it: an attribute set of job name →
// the "out" output of each succeeded build.
import { evaluationOutputs, type EvaluationSelector } from '@fc/db';
import { FetchError } from '../git/git-fetch';
import type { InputFetcher } from './input-fetcher';

function selectorOf(name: string, value: string): EvaluationSelector {
  if (/^[0-9]+$/.test(value)) return { evaluationId: Number(value) };
  const parts = value.split(':');
  if ((parts.length === 2 || parts.length === 3) && parts.every((p) => p !== '')) {
    const [project, jobset, job] = parts as [string, string, string | undefined];
    return job === undefined ? { project, jobset } : { project, jobset, job };
  }
  throw new FetchError(
    `input ${name}: an eval value is an evaluation id, "PROJECT:JOBSET" or "PROJECT:JOBSET:JOB", got ${JSON.stringify(value)}`,
  );
}

export const fetchEvalInput: InputFetcher = async (input, context) => {
  const value = input.value.trim();
  const selector = selectorOf(input.name, value);
  const found = await evaluationOutputs(context.db, selector);
  if (found === undefined) {
    const why =
      'evaluationId' in selector
        ? `evaluation ${value} does not exist`
        : selector.job === undefined
          ? `jobset ‘${value}’ does not have a finished evaluation`
          : `there is no successful build of ‘${value}’ in a finished evaluation`;
    throw new FetchError(`input ${input.name}: ${why}`);
  }
  return {
    input: { name: input.name, type: 'eval', jobs: found.jobs },
    revision: { type: 'eval', jobset: value, evaluation: found.evaluationId },
  };
};
