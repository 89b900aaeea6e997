// Where the evaluator keeps things under evaluator.work_dir.
import { join } from 'node:path';

/** Where the evaluator records the process groups of its children (reaped on the next start). */
export function processGroupDir(workDir: string): string {
  return join(workDir, 'process-groups');
}

/** A jobset's checkouts: its repository, its git inputs, its declarative spec's input. */
export function checkoutBase(workDir: string, jobsetId: number): string {
  return join(workDir, 'checkouts', String(jobsetId));
}
