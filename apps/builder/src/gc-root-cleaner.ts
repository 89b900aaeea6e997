// Periodic removal of old GC roots: a root older than gc.max_age_days goes unless its build is kept
// or belongs to one of its jobset's keep_nr newest evaluations; a deleted build's root always goes.
import { buildsWhoseRootsStay, existingBuildIds, type Pool } from '@fc/db';
import { listGcRoots, parseGcRootName, removeGcRoot } from '@fc/nix';

export async function cleanGcRoots(
  pool: Pool,
  rootsDir: string,
  maxAgeDays: number,
  now = new Date(),
): Promise<string[]> {
  const cutoff = now.getTime() - maxAgeDays * 86_400_000;
  const old = (await listGcRoots(rootsDir))
    .map((r) => ({ ...r, parsed: parseGcRootName(r.name) }))
    .filter((r) => r.parsed && r.modifiedAt.getTime() < cutoff);
  const ids = [...new Set(old.map((r) => r.parsed!.buildId))];
  const exists = await existingBuildIds(pool, ids);
  const stay = await buildsWhoseRootsStay(pool, ids);
  const removed: string[] = [];
  for (const root of old) {
    const id = root.parsed!.buildId;
    if (exists.has(id) && stay.has(id)) continue;
    await removeGcRoot(root.path);
    removed.push(root.name);
  }
  return removed;
}
