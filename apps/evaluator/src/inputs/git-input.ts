// A `git` input: Hydra's value `URL [BRANCH|REV] [deep]` (or FC's URL and branch fields). A
// revision pins it; `deep` keeps `.git` (the whole history is always fetched) in the input.
import { parseGitInputValue } from '@fc/core';
import { fetchGitCheckout, FetchError } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import type { InputFetcher } from './input-fetcher';
import { vcs } from './vcs-command';

export const fetchGitInput: InputFetcher = async (input, context) => {
  let value;
  try {
    value = parseGitInputValue(input.value, input.branch);
  } catch (e) {
    throw new FetchError(`input ${input.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const c = await fetchGitCheckout({
    url: value.url,
    branch: value.branch,
    rev: value.rev,
    dir: context.dir,
    timeoutMs: context.timeoutMs,
    processGroupDir: context.processGroupDir,
  });
  // Hydra's gitTag: `git describe --always` of the revision.
  const gitTag = await vcs(input.name, 'git', ['-C', c.path, 'describe', '--always', c.rev], context);
  const uri = redactCredentials(value.url);
  return {
    input: {
      name: input.name,
      type: 'git',
      path: c.path,
      uri,
      rev: c.rev,
      revCount: c.revCount,
      shortRev: c.shortRev,
      gitTag,
      deep: value.deep,
    },
    revision: {
      type: 'git',
      uri,
      branch: value.branch,
      rev: c.rev,
      revCount: c.revCount,
      ...(value.deep ? { deep: true } : {}),
    },
  };
};
