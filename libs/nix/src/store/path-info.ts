// Store path facts through `nix path-info --json -S`: validity, NAR size and closure size.
import { execa } from 'execa';
import { z } from 'zod';

const pathInfoRow = z.object({
  path: z.string(),
  valid: z.boolean().optional(),
  narSize: z.number().optional(),
  closureSize: z.number().optional(),
});

export interface StorePathInfo {
  readonly path: string;
  readonly valid: boolean;
  readonly narSize: number | undefined;
  readonly closureSize: number | undefined;
}

export function parsePathInfoJson(json: string): StorePathInfo[] {
  return z
    .array(pathInfoRow)
    .parse(JSON.parse(json))
    .map((r) => ({
      path: r.path,
      valid: r.valid !== false && r.narSize !== undefined,
      narSize: r.narSize,
      closureSize: r.closureSize,
    }));
}

export async function queryPathInfo(paths: readonly string[], nix = 'nix'): Promise<StorePathInfo[]> {
  if (paths.length === 0) return [];
  const r = await execa(
    nix,
    ['--extra-experimental-features', 'nix-command', 'path-info', '--json', '--closure-size', '--', ...paths],
    { reject: false, stdin: 'ignore' },
  );
  // Exit 1 with JSON on stdout means some path is invalid; that is an answer, not an error.
  if (!r.stdout.trim().startsWith('[')) {
    throw new Error(`nix path-info failed (exit ${r.exitCode ?? 'signal'}): ${r.stderr.trim()}`);
  }
  return parsePathInfoJson(r.stdout);
}
