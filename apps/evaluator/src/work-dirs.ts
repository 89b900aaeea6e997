// Where the evaluator keeps things under evaluator.work_dir.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the evaluator records the process groups of its children (reaped on the next start). */
export function processGroupDir(workDir: string): string {
  return join(workDir, 'process-groups');
}

const CHECKOUT_KEY_FILE = 'checkout-key';
const keys = new Map<string, Buffer>();

/** The work directory's secret that names checkouts, made (mode 0600) on first use. */
function checkoutKey(workDir: string): Buffer {
  let key = keys.get(workDir);
  if (key !== undefined) return key;
  const file = join(workDir, CHECKOUT_KEY_FILE);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 16) throw new Error(`${file} does not hold a key: delete it and start again`);
  keys.set(workDir, key);
  return key;
}

/**
 * A jobset's checkouts: its repository, its git inputs, its declarative spec's input. The directory
 * is named by the jobset's id and a keyed hash of it, so an expression that may fetch a repository at
 * a locked revision (a flake's builtins.getFlake, even in pure mode) cannot name another jobset's.
 */
export function checkoutBase(workDir: string, jobsetId: number): string {
  const tag = createHmac('sha256', checkoutKey(workDir)).update(String(jobsetId)).digest('hex').slice(0, 32);
  return join(workDir, 'checkouts', `${jobsetId}-${tag}`);
}

/** Removes checkouts named as before checkoutBase's keyed names (checkouts/<jobset id>); their names. */
export function removeGuessableCheckouts(workDir: string): string[] {
  const dir = join(workDir, 'checkouts');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const old = names.filter((n) => /^[0-9]+$/.test(n));
  for (const n of old) rmSync(join(dir, n), { recursive: true, force: true });
  return old;
}
