// The queue runner's Nix build slots (queue_runner.workers). Twice as many pg-boss handlers as slots
// hold build jobs, so one handler's bookkeeping (claiming, finishing, pg-boss's complete and next
// fetch) runs while another handler's build has the slot. A handler that fetched a job while every
// slot was busy waits here; its build has not started (no start time, no attempt, no log), so a
// cancel withdraws it and a stopping runner hands it back at once.
//
// Order: pg-boss fetched the waiting job as the best one then, but a build bumped or queued since
// may be better by the time a slot frees. So a freed slot goes to the waiter pg-boss would fetch
// first (rankHeldBuildJobs: priority, creation, then lower build id), and not even to that one while
// a queued job would be fetched before it and one of our handlers is free to fetch it: the slot waits
// for that handler (woken at once) instead, as a runner without prefetching would have run the
// queued job next. Only when no handler of ours can fetch it (or it stays queued for
// MAX_YIELD_MS, e.g. another runner is about to take it) does the held job go first.

/** Why a waiting build lost its place: it was cancelled, its job's claim went, or it goes back to the queue. */
export type Withdrawal = 'cancelled' | 'claim-lost' | 'hand-back';

export type SlotGrant =
  | {
      kind: 'granted';
      /** Nix is done with the slot; the handler's bookkeeping goes on. */
      release(): void;
      /** The handler is done (releases the slot if it still holds it). */
      done(): void;
    }
  | { kind: 'withdrawn'; reason: Withdrawal };

export interface BuildSlotsOptions {
  /** Nix build slots: queue_runner.workers. */
  readonly slots: number;
  /** The held jobs best first, each flagged when a queued job would be fetched before it. */
  readonly rank: (jobIds: string[]) => Promise<readonly { jobId: string; passed: boolean }[]>;
  /**
   * A job's pg-boss expiry runs from its fetch, and covers one build (build_timeout + 600 s): a
   * build that waited this long goes back to the queue instead of starting late.
   */
  readonly maxWaitMs: number;
  readonly onError: (e: Error) => void;
}

interface Waiter {
  readonly jobId: string;
  readonly buildId: number;
  readonly resolve: (grant: SlotGrant) => void;
  readonly timer: NodeJS.Timeout;
}

/** How long a slot is kept free for a queued job that beats every waiter before a waiter gets it. */
const MAX_YIELD_MS = 3000;
/** How often a slot kept free re-checks the queue (a new waiter re-checks at once). */
const RECHECK_MS = 25;

export class BuildSlots {
  readonly #options: BuildSlotsOptions;
  readonly #waiters = new Map<number, Waiter>();
  #free: number;
  #handlers = 0;
  #wakeFetchers: () => void = () => undefined;
  #holding = 0;
  #finishing = 0;
  #closed = false;
  #dispatching = false;
  #again = false;
  #recheck: NodeJS.Timeout | undefined;
  #yieldingSince: number | undefined;

  constructor(options: BuildSlotsOptions) {
    this.#options = options;
    this.#free = options.slots;
  }

  /** The pg-boss handlers that hold build jobs, and how to wake the idle ones so one fetches now. */
  attachHandlers(handlers: number, wake: () => void): void {
    this.#handlers = handlers;
    this.#wakeFetchers = wake;
  }

  /** A handler took a job (until left()): it cannot fetch another meanwhile. */
  entered(): void {
    this.#holding++;
  }

  left(): void {
    this.#holding--;
  }

  /** Waits for a slot for `buildId`'s job, unless the build is withdrawn first. */
  acquire(jobId: string, buildId: number): Promise<SlotGrant> {
    if (this.#closed) return Promise.resolve({ kind: 'withdrawn', reason: 'hand-back' });
    // Nothing waits and a slot is free: the job was fetched just now as the best, so it goes at once.
    if (this.#free > 0 && this.#waiters.size === 0 && !this.#dispatching) {
      this.#free--;
      return Promise.resolve(this.#grant());
    }
    return new Promise<SlotGrant>((resolve) => {
      const timer = setTimeout(() => this.withdraw(buildId, 'hand-back'), this.#options.maxWaitMs);
      this.#waiters.set(buildId, { jobId, buildId, resolve, timer });
      this.#kick();
    });
  }

  /** Takes a waiting build out of the line; false when it does not wait here. */
  withdraw(buildId: number, reason: Withdrawal): boolean {
    const waiter = this.#waiters.get(buildId);
    if (!waiter) return false;
    this.#waiters.delete(buildId);
    clearTimeout(waiter.timer);
    if (this.#waiters.size === 0) this.#yieldingSince = undefined;
    waiter.resolve({ kind: 'withdrawn', reason });
    return true;
  }

  /** The runner is stopping: every waiting build goes back to the queue, and so does any new one. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#recheck);
    for (const id of [...this.#waiters.keys()]) this.withdraw(id, 'hand-back');
  }

  /** Builds waiting for a slot. */
  waitingBuildIds(): number[] {
    return [...this.#waiters.keys()];
  }

  #grant(): SlotGrant {
    let state: 'held' | 'released' | 'done' = 'held';
    return {
      kind: 'granted',
      release: () => {
        if (state !== 'held') return;
        state = 'released';
        this.#free++;
        this.#finishing++;
        this.#kick();
      },
      done: () => {
        if (state === 'held') {
          this.#free++;
          this.#kick();
        } else if (state === 'released') this.#finishing--;
        state = 'done';
      },
    };
  }

  /** One of our handlers will fetch soon: an idle one, or one finishing a build. */
  #fetcherAvailable(): boolean {
    return this.#handlers - this.#holding + this.#finishing > 0;
  }

  #kick(): void {
    if (this.#dispatching) {
      this.#again = true;
      return;
    }
    this.#dispatching = true;
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    this.#dispatch()
      .catch((e: unknown) => {
        this.#options.onError(e as Error);
        // A failed check must not strand the waiters: try again shortly.
        this.#scheduleRecheck(RECHECK_MS * 20);
      })
      .finally(() => {
        this.#dispatching = false;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  #scheduleRecheck(ms: number): void {
    if (this.#closed || this.#recheck) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      this.#kick();
    }, ms);
  }

  async #dispatch(): Promise<void> {
    while (this.#free > 0 && this.#waiters.size > 0 && !this.#closed) {
      const ranked = await this.#options.rank([...this.#waiters.values()].map((w) => w.jobId));
      const byJob = new Map([...this.#waiters.values()].map((w) => [w.jobId, w]));
      const first = ranked.find((r) => byJob.has(r.jobId));
      // A waiter whose job pg-boss no longer has (deleted): its start finds the build moved on.
      const next = first ? byJob.get(first.jobId) : byJob.values().next().value;
      if (!next || !this.#waiters.has(next.buildId)) continue;
      if (first?.passed && this.#fetcherAvailable()) {
        this.#yieldingSince ??= Date.now();
        if (Date.now() - this.#yieldingSince < MAX_YIELD_MS) {
          this.#wakeFetchers();
          this.#scheduleRecheck(RECHECK_MS);
          return;
        }
      }
      this.#yieldingSince = undefined;
      this.#waiters.delete(next.buildId);
      clearTimeout(next.timer);
      this.#free--;
      next.resolve(this.#grant());
    }
  }
}
