// Fetching what a jobset's evaluation reads: the project repository (unless the expression is in
// an input) and each input, with the revisions the unchanged-input check hashes.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EvaluationJobsetRow, Queryable } from '@fc/db';
import type { EvalInput } from '@fc/nix';
import type { DeclarativeSource } from '../declarative/declarative-input';
import { fetchGitCheckout, type GitCheckout } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import { checkoutBase, processGroupDir } from '../work-dirs';
import type { EvaluatorForges } from './input-fetcher';
import { INPUT_FETCHERS } from './input-fetchers';

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
/**
 * A secret input's revision as evaluations keep it: a git input keeps its (credential-free) URL and
 * commit, for commit statuses; any other keeps only the hash of its value, so a change is still seen.
 */
function secretRevision(revision: unknown): Record<string, unknown> {
  const r = revision as Record<string, unknown>;
  if (r['type'] === 'git') return { ...r, secret: true };
  return {
    type: r['type'],
    secret: true,
    sha256: createHash('sha256').update(JSON.stringify(r)).digest('hex'),
  };
}

export async function fetchInputs(
  db: Queryable,
  jobset: EvaluationJobsetRow,
  settings: { readonly workDir: string; readonly gitTimeout: number; readonly forges?: EvaluatorForges },
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
      rev: jobset.pinnedRevision,
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
    // git keeps the directory it always had; other types get one per value (a new URL, a new clone).
    const key = i.type === 'git' ? i.name : `${i.type}\u0000${i.name}\u0000${i.value}`;
    const fetched = await INPUT_FETCHERS[i.type](
      { name: i.name, value: i.value, branch: i.branch },
      {
        dir: join(base, `input-${shortHash(key)}`),
        timeoutMs,
        processGroupDir: processGroupDir(settings.workDir),
        db,
        projectName: jobset.projectName,
        jobsetName: jobset.name,
        forges: settings.forges,
      },
    );
    if (fetched.input !== null) inputs.push(fetched.input);
    revisions[i.name] = fetched.revision;
  }
  for (const i of jobset.inputs) if (i.secret) revisions[i.name] = secretRevision(revisions[i.name]);
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
