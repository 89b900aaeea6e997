// FC's own files are never a jobset's source. A path input, a file: URL or an absolute path as a
// repository (the project's, an input's of any VCS, a declarative spec's) is read by fc-evaluator as
// its own user and copied into the world-readable Nix store, where the jobset's expression (and its
// public evaluation errors and build logs) can show it: so such a path must not be, nor hold, the
// evaluator's work directory (every jobset's checkouts and the key that names them), the build logs,
// FC's configuration and keys, or the hidden files of FC's user's home (SSH keys, credentials, Nix's
// fetcher cache). Anyone who can push a declarative spec could otherwise name them.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FcConfig } from '@fc/config';
import { REPOSITORY_INPUT_TYPES } from '@fc/core';
import type { EvaluationJobsetRow } from '@fc/db';
import { FetchError } from '../git/git-fetch';

export interface ProtectedPath {
  readonly path: string;
  /** What it is, for the refusal: "fc-evaluator's work directory (every jobset's checkouts)". */
  readonly what: string;
}

export interface SourceProtection {
  readonly paths: readonly ProtectedPath[];
  /** The home directory of FC's user: its hidden files are protected, and so is any path holding it. */
  readonly home?: string | undefined;
}

/** The local path a source value names: an absolute path, or the path of a file: URL of any VCS. */
export function localPathOf(value: string): string | undefined {
  const first = value.trim().split(/\s+/)[0] ?? '';
  if (first.startsWith('/')) return first;
  const url = /^(?:[a-z0-9.-]+\+)?file:\/\/[^/]*(\/[^?#]*)/i.exec(first);
  if (!url) return undefined;
  try {
    return decodeURIComponent(url[1]!);
  } catch {
    return url[1];
  }
}

/** `inner` is `outer` or below it (both absolute and normalized). */
function within(inner: string, outer: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Why FC refuses `path` (absolute, symlinks resolved) as a source; undefined when it may be read. */
export function protectedPathProblem(path: string, protection: SourceProtection): string | undefined {
  for (const p of protection.paths) {
    const guarded = resolve(p.path);
    if (within(path, guarded)) return `it is in ${p.what}`;
    if (within(guarded, path)) return `it holds ${p.what}`;
  }
  const home = protection.home === undefined ? undefined : resolve(protection.home);
  if (home !== undefined && home !== sep) {
    if (within(home, path)) return "it holds the home directory of FC's user";
    const below = relative(home, path).split(sep)[0] ?? '';
    if (within(path, home) && below.startsWith('.')) {
      return `it is in ~/${below} of FC's user (keys, credentials and caches live in the home's hidden files)`;
    }
  }
  return undefined;
}

/** `path` with its symlinks resolved as far as it exists (a missing tail is kept as written). */
export function resolvedPath(path: string): string {
  const absolute = resolve(path);
  let head = absolute;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      tail.unshift(head.slice(parent.length).replace(/^\//, ''));
      head = parent;
    }
  }
}

/** FC's files the configuration names (beside the evaluator's work directory), and its own files. */
export function configuredProtectedPaths(config: FcConfig, configFiles: readonly string[]): ProtectedPath[] {
  const keys = [config.cache.secret_key_file, config.signing.key_file].filter(
    (f): f is string => typeof f === 'string' && f !== '',
  );
  return [
    { path: config.logs.log_dir, what: 'the build logs directory (logs.log_dir)' },
    { path: config.queue_runner.work_dir, what: "fc-queue-runner's work directory" },
    ...keys.map((path) => ({ path, what: "one of FC's keys" })),
    ...configFiles.map((path) => ({ path, what: "FC's configuration" })),
  ];
}

/** fc-evaluator's own protection: its work directory always, and what the configuration adds. */
export function sourceProtection(settings: {
  readonly workDir: string;
  readonly protectedPaths?: readonly ProtectedPath[] | undefined;
  readonly home?: string | undefined;
}): SourceProtection {
  return {
    paths: [
      { path: settings.workDir, what: "fc-evaluator's work directory (every jobset's checkouts)" },
      ...(settings.protectedPaths ?? []),
    ],
    home: settings.home,
  };
}

/** Throws FetchError naming the first source of the jobset that is one of FC's own paths. */
export function refuseProtectedSources(jobset: EvaluationJobsetRow, protection: SourceProtection): void {
  const sources: { field: string; value: string | null }[] = [
    { field: 'repository_url', value: jobset.nixExpressionInput === null ? jobset.repositoryUrl : null },
    { field: 'declarative input', value: jobset.declarativeFile === null ? null : jobset.declarativeValue },
    ...jobset.inputs
      .filter((i) => i.type === 'path' || REPOSITORY_INPUT_TYPES.includes(i.type))
      .map((i) => ({ field: `input ${i.name}`, value: i.value })),
  ];
  for (const { field, value } of sources) {
    const local = value === null ? undefined : localPathOf(value);
    if (local === undefined) continue;
    const problem = protectedPathProblem(resolvedPath(local), protection);
    if (problem !== undefined) {
      throw new FetchError(`${field}: ${local} is not a source FC reads: ${problem}`);
    }
  }
}
