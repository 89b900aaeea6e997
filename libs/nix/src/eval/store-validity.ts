// Which store paths are already valid: a build whose outputs all are is recorded as cached. Read
// from Nix's database when the evaluator runs beside its store (one query for every path: 10,000
// outputs in milliseconds), else asked of `nix-store --check-validity` in chunks.
import { localValidPaths } from '../store/path-info';
import { runCommand } from './run-command';

const CHUNK = 2000;

/** The subset of `paths` that is valid in the local store. */
export async function validStorePaths(paths: readonly string[], timeoutMs = 120_000): Promise<Set<string>> {
  const local = localValidPaths(paths);
  if (local) return local;
  return checkValidity(paths, timeoutMs);
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
