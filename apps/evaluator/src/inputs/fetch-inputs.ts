// Fetching what a jobset's evaluation reads: the project repository (unless the expression is in
// an input) and each input, with the revisions the unchanged-input check hashes.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EvaluationJobsetRow } from '@fc/db';
import type { EvalInput } from '@fc/nix';
import type { DeclarativeSource } from '../declarative/declarative-input';
import { fetchGitCheckout, type GitCheckout } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import { checkoutBase, processGroupDir } from '../work-dirs';
import { hashPathInput } from './path-input';

export interface FetchedInputs {
  /** The project repository's revision and checkout; null when the expression is in an input. */
  readonly revision: string | null;
  readonly checkout: string | null;
  readonly inputs: EvalInput[];
  readonly revisions: Record<string, unknown>;
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/**
 * The project repository (unless the expression lives in an input, Hydra's nixexprinput) and every
 * input; a declarative ".jobsets" also gets Hydra's `declInput` and `projectName` unless it has
 * inputs of those names.
 */
export async function fetchInputs(
  jobset: EvaluationJobsetRow,
  settings: { readonly workDir: string; readonly gitTimeout: number },
  declarative: DeclarativeSource | undefined,
): Promise<FetchedInputs> {
  const base = checkoutBase(settings.workDir, jobset.id);
  const timeoutMs = settings.gitTimeout * 1000;
  let repo: GitCheckout | null = null;
  const inputs: EvalInput[] = [];
  const revisions: Record<string, unknown> = {};
  if (jobset.nixExpressionInput === null) {
    repo = await fetchGitCheckout({
      url: jobset.repositoryUrl,
      branch: jobset.branch,
      dir: join(base, 'repository'),
      timeoutMs,
      processGroupDir: processGroupDir(settings.workDir),
    });
    revisions['repository'] = {
      uri: redactCredentials(jobset.repositoryUrl),
      branch: jobset.branch,
      rev: repo.rev,
      revCount: repo.revCount,
    };
  }
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
      case 'path': {
        const sha256 = await hashPathInput(i.name, i.value, {
          timeoutMs,
          processGroupDir: processGroupDir(settings.workDir),
        });
        inputs.push({ name: i.name, type: 'path', path: i.value, uri: i.value });
        revisions[i.name] = { type: 'path', value: i.value, sha256 };
        break;
      }
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
  if (declarative) {
    const named = (n: string) => jobset.inputs.some((i) => i.name === n);
    if (!named('declInput')) {
      inputs.push(declarative.input);
      revisions['declInput'] = declarative.revision;
    }
    if (!named('projectName')) {
      inputs.push({ name: 'projectName', type: 'string', value: jobset.projectName });
      revisions['projectName'] = { type: 'string', value: jobset.projectName };
    }
  }
  return { revision: repo?.rev ?? null, checkout: repo?.path ?? null, inputs, revisions };
}
