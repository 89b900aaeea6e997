// A `build` input: the main output of the newest succeeded build of `project:jobset:job` (or
// `jobset:job`, or `job` of this jobset), or of build N given as its id, as Hydra passes it:
// { outPath, id, outputName, version?, drvPath? }.
// With no such build yet, the input has no value (the expression's default is used).
import { existsSync } from 'node:fs';
import { buildWithMainOutput, latestSucceededBuild, type InputBuildRow } from '@fc/db';
import { FetchError } from '../git/git-fetch';
import type { FetchedInput, InputFetcher } from './input-fetcher';

// Hydra's package-name-then-version split of a release name.
const VERSIONED = /^(?:(?:[A-Za-z0-9]|(?:-[^0-9]))+)-([A-Za-z0-9.-]+)$/;

export const fetchBuildInput: InputFetcher = async (input, context) => {
  const value = input.value.trim();
  if (/^[0-9]+$/.test(value)) {
    const build = await buildWithMainOutput(context.db, Number(value));
    if (build === undefined)
      throw new FetchError(`input ${input.name}: build ${value} does not exist or is not finished`);
    return fetched(input.name, value, build);
  }
  const parts = value.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new FetchError(
      `input ${input.name}: a build value is "PROJECT:JOBSET:JOB", got ${JSON.stringify(input.value)}`,
    );
  }
  const job = parts.at(-1)!;
  const jobset = parts.length >= 2 ? parts.at(-2)! : context.jobsetName;
  const project = parts.length === 3 ? parts[0]! : context.projectName;
  const build = await latestSucceededBuild(context.db, { project, jobset, job });
  const what = `${project}:${jobset}:${job}`;
  if (build === undefined) return { input: null, revision: { type: 'build', job: what, build: null } };
  return fetched(input.name, what, build);
};

function fetched(name: string, what: string, build: InputBuildRow): FetchedInput {
  const version = VERSIONED.exec(build.releaseName ?? build.nixName ?? '')?.[1];
  return {
    input: {
      name,
      type: 'build',
      storePath: build.outputPath,
      attrs: {
        inputType: 'build',
        id: build.id,
        outputName: build.outputName,
        ...(version === undefined ? {} : { version }),
        // The derivation, when it is still in the store (Hydra checks its validity too).
        ...(existsSync(build.drvPath) ? { drvPath: build.drvPath } : {}),
      },
    },
    revision: { type: 'build', job: what, build: build.id, path: build.outputPath },
  };
}
