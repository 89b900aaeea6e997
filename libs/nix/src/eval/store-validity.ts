// Which store paths are already valid: a build whose outputs all are is recorded as cached. Read
// from Nix's database when the evaluator runs beside its store (one query for every path: 10,000
// outputs in milliseconds), else asked of `nix-store --check-validity` in chunks.
import { localValidPaths } from '../store/path-info';
import { runCommand } from './run-command';

const CHUNK = 2000;

// A store path as Nix writes it: the store directory, a 32-character base-32 hash, a name.
const STORE_PATH = /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+$/;

/**
 * The subset of `paths` that is valid in the local store. What is not a store path (a
 * content-addressed output's placeholder, `/1rz4...`, before it is built) is never valid, and never
 * handed to Nix, which would refuse the whole chunk.
 */
export async function validStorePaths(paths: readonly string[], timeoutMs = 120_000): Promise<Set<string>> {
  const storePaths = paths.filter((p) => STORE_PATH.test(p));
  if (storePaths.length === 0) return new Set();
  const local = localValidPaths(storePaths);
  if (local) return local;
  return checkValidity(storePaths, timeoutMs);
}

async function checkValidity(paths: readonly string[], timeoutMs: number): Promise<Set<string>> {
  const valid = new Set<string>();
  for (let i = 0; i < paths.length; i += CHUNK) {
    const chunk = paths.slice(i, i + CHUNK);
    const result = await runCommand('nix-store', ['--check-validity', '--print-invalid', '--', ...chunk], {
      timeoutMs,
    });
    if (result.exitCode !== 0) {
      throw new Error(`nix-store --check-validity failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    }
    const invalid = new Set(result.stdout.split('\n').filter(Boolean));
    for (const p of chunk) if (!invalid.has(p)) valid.add(p);
  }
  return valid;
}
