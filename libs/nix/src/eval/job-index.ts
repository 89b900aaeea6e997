// What an evaluation keeps of its jobs while they stream on to be recorded: each job's name and
// derivation, nothing else (about 200 bytes a job), so each name is passed on once and aggregates can
// name their constituents by job name or by derivation.
import type { EvaluatedJob } from './eval-types';

export class JobIndex {
  private readonly drvPaths = new Map<string, string>();

  /** false when a job of that name was already added. */
  add(job: Pick<EvaluatedJob, 'attr' | 'drvPath'>): boolean {
    if (this.drvPaths.has(job.attr)) return false;
    this.drvPaths.set(job.attr, job.drvPath);
    return true;
  }

  has(name: string): boolean {
    return this.drvPaths.has(name);
  }

  drvPathOf(name: string): string | undefined {
    return this.drvPaths.get(name);
  }

  get size(): number {
    return this.drvPaths.size;
  }

  names(): IterableIterator<string> {
    return this.drvPaths.keys();
  }

  /**
   * The job name each of `drvPaths` collapses to: the shortest name of a job with that derivation,
   * the first in sort order among equals (Hydra's alias rule).
   */
  canonicalNames(drvPaths: ReadonlySet<string>): Map<string, string> {
    const canonical = new Map<string, string>();
    if (drvPaths.size === 0) return canonical;
    for (const [name, drv] of this.drvPaths) {
      if (!drvPaths.has(drv)) continue;
      const seen = canonical.get(drv);
      if (seen === undefined || name.length < seen.length || (name.length === seen.length && name < seen)) {
        canonical.set(drv, name);
      }
    }
    return canonical;
  }
}
