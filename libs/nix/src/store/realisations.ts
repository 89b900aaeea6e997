// A floating content-addressed derivation's outputs are placeholders (`/1rz4...`, no store path)
// until it is built; then Nix's realisations say where each output went. `nix realisation info`
// (ca-derivations) gives them by derivation: [{ "id": "sha256:...!out", "outPath": "<hash>-<name>" }].
import { execa } from 'execa';
import { z } from 'zod';

const STORE_DIR = '/nix/store/';

const realisationInfo = z.array(z.object({ id: z.string(), outPath: z.string() }));

/** Whether a recorded output path is a content-addressed placeholder rather than a store path. */
export function isOutputPlaceholder(path: string): boolean {
  return !path.startsWith(STORE_DIR);
}

/** Output name → store path, from `nix realisation info --json`'s output. */
export function parseRealisations(json: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of realisationInfo.parse(JSON.parse(json))) {
    const name = r.id.slice(r.id.lastIndexOf('!') + 1);
    out.set(name, r.outPath.startsWith('/') ? r.outPath : `${STORE_DIR}${r.outPath}`);
  }
  return out;
}

/**
 * The outputs with every placeholder replaced by the store path Nix built it at (the derivation must
 * have been built); outputs already store paths are kept. Throws when Nix knows no realisation.
 */
export async function resolveOutputPaths(
  drvPath: string,
  outputs: readonly { readonly name: string; readonly path: string }[],
  nix = 'nix',
): Promise<{ name: string; path: string }[]> {
  if (!outputs.some((o) => isOutputPlaceholder(o.path))) return outputs.map((o) => ({ ...o }));
  const result = await execa(nix, ['realisation', 'info', '--json', '--', drvPath], {
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    throw new Error(`nix realisation info ${drvPath} failed: ${String(result.stderr).trim()}`);
  }
  const built = parseRealisations(String(result.stdout));
  return outputs.map((o) => {
    if (!isOutputPlaceholder(o.path)) return { ...o };
    const path = built.get(o.name);
    if (path === undefined) throw new Error(`Nix knows no realisation of output ${o.name} of ${drvPath}`);
    return { name: o.name, path };
  });
}
