// Where the demo keeps its state. Everything is under <clone>/.fc-demo, except, for root in a clone
// the `postgres` user cannot reach (a clone under /root, mode 0700), PostgreSQL's data and binaries:
// those go under /var/lib/fc-demo/, in a directory named after the clone, so a second run finds them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoPlaces {
  readonly stateDir: string;
  readonly pgDataDir: string;
  /** Where PostgreSQL's binaries are copied when its user cannot run them from node_modules. */
  readonly pgBinCacheDir: string;
  readonly repoDir: string;
}

const SYSTEM_DIR = '/var/lib/fc-demo';

/** Whether the `postgres` user can enter `dir` (and so its subdirectories that it owns). */
function postgresCanReach(dir: string): boolean {
  const r = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]);
  return r.status === 0;
}

export function demoPlaces(root: string): DemoPlaces {
  const stateDir = join(root, '.fc-demo');
  mkdirSync(stateDir, { recursive: true });
  const inClone = {
    stateDir,
    pgDataDir: join(stateDir, 'pg'),
    pgBinCacheDir: join(stateDir, 'postgresql'),
    repoDir: join(stateDir, 'demo-repo'),
  };
  if (process.getuid?.() !== 0 || postgresCanReach(stateDir)) return inClone;
  const id = createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 12);
  return {
    ...inClone,
    pgDataDir: join(SYSTEM_DIR, id, 'pg'),
    pgBinCacheDir: join(SYSTEM_DIR, 'postgresql'),
  };
}
