// The input holding a declarative project's spec file (Hydra's declinput): the project's git
// repository, another git repository, or a local directory. Fetched before each evaluation of
// ".jobsets", it is also passed to that evaluation as `declInput`, as Hydra does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationJobsetRow } from '@fc/db';
import type { EvalInput } from '@fc/nix';
import { fetchGitCheckout } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import { hashPathInput } from '../inputs/path-input';
import { DeclarativeSpecError, parseSpecJson } from './declarative-spec';

const MAX_SPEC_BYTES = 16 * 1024 * 1024;

export interface DeclarativeSource {
  /** The input as `declInput`. */
  readonly input: EvalInput;
  /** Its revision, kept with the evaluation's input revisions. */
  readonly revision: Record<string, unknown>;
  /** The spec file's JSON, parsed. */
  readonly spec: unknown;
}

export async function fetchDeclarativeSpec(
  jobset: EvaluationJobsetRow,
  o: { dir: string; timeoutMs: number; processGroupDir: string },
): Promise<DeclarativeSource> {
  const file = jobset.declarativeFile;
  if (file === null || jobset.declarativeType === null) {
    throw new DeclarativeSpecError(`project ${jobset.projectName} has no declarative spec`);
  }
  let input: EvalInput;
  let revision: Record<string, unknown>;
  if (jobset.declarativeType === 'git') {
    const url = jobset.declarativeValue ?? jobset.repositoryUrl;
    const c = await fetchGitCheckout({
      url,
      branch: jobset.declarativeBranch,
      dir: o.dir,
      timeoutMs: o.timeoutMs,
      processGroupDir: o.processGroupDir,
    });
    const uri = redactCredentials(url);
    input = {
      name: 'declInput',
      type: 'git',
      path: c.path,
      uri,
      rev: c.rev,
      revCount: c.revCount,
      shortRev: c.shortRev,
    };
    revision = { type: 'git', uri, branch: jobset.declarativeBranch, rev: c.rev, revCount: c.revCount };
  } else {
    const path = jobset.declarativeValue ?? '';
    const sha256 = await hashPathInput('declInput', path, o);
    input = { name: 'declInput', type: 'path', path, uri: path };
    revision = { type: 'path', value: path, sha256 };
  }
  const specPath = join(input.path, file);
  const what = `the declarative spec ${file} in ${input.uri}`;
  if (!existsSync(specPath) || !statSync(specPath).isFile()) {
    throw new DeclarativeSpecError(`${what} does not exist or is not a file`);
  }
  if (statSync(specPath).size > MAX_SPEC_BYTES) {
    throw new DeclarativeSpecError(`${what} is larger than ${MAX_SPEC_BYTES} bytes`);
  }
  return { input, revision, spec: parseSpecJson(readFileSync(specPath, 'utf8'), what) };
}
