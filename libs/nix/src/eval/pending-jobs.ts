// What an evaluator's consumer of jobs (EvalJobsRequest.onJob) asked it to wait for.

/** The promises a consumer of jobs returned and that have not settled yet. */
export class PendingJobs {
  private pending: Promise<void>[] = [];

  add(held: void | Promise<void>): void {
    if (!held) return;
    // Handled here so a rejection waits for take() instead of ending the process.
    held.catch(() => undefined);
    this.pending.push(held);
  }

  /** One promise for everything pending, or undefined when nothing is. */
  take(): Promise<void> | undefined {
    if (this.pending.length === 0) return undefined;
    const all = Promise.all(this.pending).then(() => undefined);
    this.pending = [];
    return all;
  }
}
