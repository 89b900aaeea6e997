// What a narinfo says about a store path, from `nix path-info --json`: NAR hash and size,
// references, deriver and content address.
import { execa } from 'execa';
import { z } from 'zod';

export interface StorePathFacts {
  readonly path: string;
  /** As Nix printed it (SRI in Nix 2.8); narinfo.ts renders it in base-32. */
  readonly narHash: string;
  readonly narSize: number;
  /** Full store paths, sorted. */
  readonly references: readonly string[];
  readonly deriver: string | undefined;
  readonly ca: string | undefined;
  /** The signatures the store holds for the path (`nix store sign`), "<key name>:<base64>". */
  readonly sigs?: readonly string[];
}

const pathInfoJson = z.array(
  z.object({
    path: z.string(),
    valid: z.boolean().optional(),
    narHash: z.string().optional(),
    narSize: z.number().int().nonnegative().optional(),
    references: z.array(z.string()).optional(),
    deriver: z.string().optional(),
    ca: z.string().optional(),
    signatures: z.array(z.string()).optional(),
  }),
);

export function parseStorePathFacts(json: string, path: string): StorePathFacts | undefined {
  const row = pathInfoJson.parse(JSON.parse(json)).find((r) => r.path === path);
  if (!row || row.valid === false || row.narHash === undefined || row.narSize === undefined) return undefined;
  return {
    path: row.path,
    narHash: row.narHash,
    narSize: row.narSize,
    references: [...(row.references ?? [])].sort(),
    deriver: row.deriver,
    ca: row.ca,
    sigs: row.signatures ?? [],
  };
}

/** The facts of a store path, or undefined when it is not valid in the local store. */
export async function queryStorePathFacts(path: string, nix = 'nix'): Promise<StorePathFacts | undefined> {
  // Nix 2.8 takes a .drv installable for its outputs unless --derivation is given (and with it, an
  // output for its deriver), so the flag follows the path.
  const args = ['--extra-experimental-features', 'nix-command', 'path-info', '--json', '--sigs'];
  if (path.endsWith('.drv')) args.push('--derivation');
  const r = await execa(nix, [...args, '--', path], { reject: false, stdin: 'ignore', timeout: 60_000 });
  if (!r.stdout.trim().startsWith('[')) {
    if (/does not exist|is not valid|No such file/.test(r.stderr)) return undefined;
    throw new Error(`nix path-info failed (exit ${r.exitCode ?? 'signal'}): ${r.stderr.trim()}`);
  }
  return parseStorePathFacts(r.stdout, path);
}
