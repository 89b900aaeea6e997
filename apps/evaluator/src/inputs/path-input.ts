// A `path` input: a local file or directory, used in place (the walker copies it into the Nix store,
// read-only, without .git). Hydra gives a path input a new revision when its contents change; FC
// keeps the SHA-256 of its NAR serialisation (nix-hash) among the evaluation's input revisions, so a
// changed path gives a new evaluation and an unchanged one is `unchanged`.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { runCommand } from '@fc/nix';
import { FetchError } from '../git/git-fetch';
import type { InputFetcher } from './input-fetcher';

/** Checks the value of path input `name`; its content hash. */
export async function hashPathInput(
  name: string,
  value: string,
  options: { timeoutMs: number; processGroupDir?: string },
): Promise<string> {
  if (value.startsWith('-') || !isAbsolute(value)) {
    throw new FetchError(`input ${name}: path ${value} must be an absolute path`);
  }
  if (!existsSync(value)) throw new FetchError(`input ${name}: path ${value} does not exist`);
  const result = await runCommand('nix-hash', ['--type', 'sha256', '--base32', value], {
    timeoutMs: options.timeoutMs,
    processGroupDir: options.processGroupDir,
  });
  if (result.timedOut) throw new FetchError(`input ${name}: hashing ${value} timed out`);
  if (result.exitCode !== 0) {
    throw new FetchError(`input ${name}: cannot read ${value}: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

export const fetchPathInput: InputFetcher = async (input, context) => {
  const sha256 = await hashPathInput(input.name, input.value, context);
  return {
    input: { name: input.name, type: 'path', path: input.value, uri: input.value },
    revision: { type: 'path', value: input.value, sha256 },
  };
};
