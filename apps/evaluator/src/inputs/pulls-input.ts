// Hydra's `githubpulls` and `giteapulls` inputs: the repository's open pull requests, every page, as
// one JSON object keyed by number whose values are the forge's own pull request objects (Hydra's
// GithubPulls/GiteaPulls shape), in a file copied into the store, so a declarative generator reads
// it with builtins.fromJSON (builtins.readFile pulls). Its revision is the content's hash: the same
// open pull requests give an unchanged evaluation.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePullsInputValue, type PullsInputType } from '@fc/core';
import { ForgeApiError, forgeRepositoryNamed } from '@fc/forges';
import { FetchError } from '../git/git-fetch';
import type { FetchContext, FetchedInput, InputFetcher, InputToFetch } from './input-fetcher';

/** JSON with every object's keys sorted (Hydra writes GitHub's canonically too): stable bytes, stable hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

async function fetchPulls(
  type: PullsInputType,
  input: InputToFetch,
  context: FetchContext,
): Promise<FetchedInput> {
  let value;
  try {
    value = parsePullsInputValue(type, input.value);
  } catch (e) {
    throw new FetchError(`input ${input.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!context.forges) throw new FetchError(`input ${input.name}: this evaluator has no forge API client`);
  const kind = type === 'githubpulls' ? 'github' : 'gitea';
  const repository = forgeRepositoryNamed(
    kind,
    value.owner,
    value.repo,
    context.forges.accounts,
    value.origin,
  );
  let pulls: unknown[];
  try {
    pulls = await context.forges.client.openPullRequests(repository);
  } catch (e) {
    if (!(e instanceof ForgeApiError)) throw e;
    throw new FetchError(
      `input ${input.name}: the open pull requests of ${value.owner}/${value.repo} could not be read: ${e.message}`,
    );
  }
  const byNumber: Record<string, unknown> = {};
  for (const pull of pulls) {
    const number = (pull as { number?: unknown } | null)?.number;
    if (typeof number !== 'number') {
      throw new FetchError(`input ${input.name}: the forge listed a pull request without a number`);
    }
    byNumber[String(number)] = pull;
  }
  const json = canonicalJson(byNumber);
  mkdirSync(context.dir, { recursive: true });
  const file = join(context.dir, `${kind}-pulls.json`);
  writeFileSync(file, json);
  return {
    input: {
      name: input.name,
      type: 'file',
      path: file,
      attrs: { inputType: type, uri: context.forges.client.openPullRequestsUrl(repository) },
    },
    revision: {
      type,
      value: input.value,
      pullRequests: Object.keys(byNumber).length,
      sha256: createHash('sha256').update(json).digest('hex'),
    },
  };
}

export const fetchGithubPullsInput: InputFetcher = (input, context) =>
  fetchPulls('githubpulls', input, context);
export const fetchGiteaPullsInput: InputFetcher = (input, context) =>
  fetchPulls('giteapulls', input, context);
