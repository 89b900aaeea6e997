// Hydra's jobset input types, and the one-string value of a git input.
import { repositoryUrlProblem } from './git-source-rules';

export const JOBSET_INPUT_TYPES = [
  'git',
  'path',
  'string',
  'boolean',
  'nix',
  'build',
  'eval',
  'hg',
  'svn',
  'svn-checkout',
  'bzr',
  'bzr-checkout',
  'darcs',
  'githubpulls',
  'giteapulls',
] as const;
export type JobsetInputType = (typeof JOBSET_INPUT_TYPES)[number];

/** Inputs that are a version-controlled repository (their value starts with its URL). */
export const REPOSITORY_INPUT_TYPES: readonly JobsetInputType[] = [
  'git',
  'hg',
  'svn',
  'svn-checkout',
  'bzr',
  'bzr-checkout',
  'darcs',
];

/** Inputs that may hold the jobset's Nix expression (Hydra's nixexprinput). */
export const EXPRESSION_INPUT_TYPES: readonly JobsetInputType[] = [...REPOSITORY_INPUT_TYPES, 'path'];

export interface GitInputValue {
  readonly url: string;
  /** The branch to follow; null: the remote's default branch. */
  readonly branch: string | null;
  /** A pinned commit (40 hex digits in the branch's place). */
  readonly rev: string | null;
  /** `deep`: the whole history, and `.git` kept in the input. */
  readonly deep: boolean;
}

/**
 * Hydra's git value `URL [BRANCH|REV] [DEEP]` (a third word with `=` is an option, not DEEP); a
 * separate `branch` (FC's API field) is used when the value names none. Throws a message on a value
 * that is not one.
 */
export function parseGitInputValue(value: string, branch: string | null = null): GitInputValue {
  const [url, second, third, ...rest] = value.trim().split(/\s+/);
  if (url === undefined || url === '')
    throw new Error('a git value is "URL [BRANCH|REV] [deep]"; it is empty');
  if (rest.some((r) => !r.includes('='))) {
    throw new Error(`a git value is "URL [BRANCH|REV] [deep]", got ${JSON.stringify(value)}`);
  }
  for (const part of [url, second, branch]) {
    if (part?.startsWith('-')) throw new Error(`the URL and branch of a git value must not start with "-"`);
  }
  // FC's transports only (libs/core git-source-rules: no ext:: or fd:: remote helper).
  const urlProblem = repositoryUrlProblem(url);
  if (urlProblem !== undefined) throw new Error(`the URL ${url} of a git value: ${urlProblem}`);
  const ref = second ?? branch;
  const isRev = ref !== null && /^[0-9a-f]{40}$/.test(ref);
  return {
    url,
    branch: isRev ? null : ref,
    rev: isRev ? ref : null,
    deep: third !== undefined && !third.includes('='),
  };
}
