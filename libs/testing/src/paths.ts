import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the nearest directory above this file holding nx.json (source or bundle). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the FC workspace root (no nx.json above libs/testing)');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const MIGRATIONS_DIR = join(REPO_ROOT, 'db', 'migrations');
