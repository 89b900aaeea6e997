// fc-server's gauges of the whole installation's queues, read from the database when /metrics is
// scraped: builds queued and running (in total and per system), the oldest queued build's age,
// running evaluations, and pg-boss jobs per queue and state. The caller supplies the read, so this
// library needs no database; every gauge of one scrape shares one read.
import { Gauge, type Registry } from 'prom-client';

export interface QueueStateSnapshot {
  /** Unfinished builds per system. */
  readonly builds: readonly { readonly system: string; readonly queued: number; readonly running: number }[];
  /** Seconds since the oldest queued (not started) build was queued; 0 when none is. */
  readonly oldestQueuedAgeSeconds: number;
  readonly evaluationsRunning: number;
  /** pg-boss jobs not yet finished, per queue and state (created, retry, active). */
  readonly jobs: readonly { readonly queue: string; readonly state: string; readonly count: number }[];
}

export function registerQueueStateGauges(registry: Registry, read: () => Promise<QueueStateSnapshot>): void {
  let pending: Promise<QueueStateSnapshot> | undefined;
  // Scrape-wide: the first gauge collected starts the read, the others of the same scrape await it.
  const once = () => (pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0)));
  const registers = [registry];
  new Gauge({
    name: 'fc_builds_queued',
    help: 'Builds waiting for a builder (all queue runners)',
    registers,
    async collect() {
      this.set(sum((await once()).builds.map((b) => b.queued)));
    },
  });
  new Gauge({
    name: 'fc_builds_running',
    help: 'Builds being built (all queue runners)',
    registers,
    async collect() {
      this.set(sum((await once()).builds.map((b) => b.running)));
    },
  });
  const bySystem = new LabelledValues();
  new Gauge({
    name: 'fc_builds_queued_by_system',
    help: 'Builds waiting for a builder, by system',
    labelNames: ['system'],
    registers,
    async collect() {
      const s = await once();
      for (const [key, value] of bySystem.update(s.builds.map((b) => [b.system, b.queued]))) {
        this.set({ system: key }, value);
      }
    },
  });
  new Gauge({
    name: 'fc_builds_oldest_queued_age_seconds',
    help: 'Seconds the oldest queued build has waited (0: none is queued)',
    registers,
    async collect() {
      this.set((await once()).oldestQueuedAgeSeconds);
    },
  });
  new Gauge({
    name: 'fc_evaluations_running',
    help: 'Evaluations running (all evaluators)',
    registers,
    async collect() {
      this.set((await once()).evaluationsRunning);
    },
  });
  const byQueue = new LabelledValues();
  new Gauge({
    name: 'fc_queue_jobs',
    help: 'pg-boss jobs not finished, by queue and state (created, retry: waiting; active: being handled)',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const s = await once();
      const entries = s.jobs.map((j): [string, number] => [`${j.queue}\u0000${j.state}`, j.count]);
      for (const [key, value] of byQueue.update(entries)) {
        const [queue = '', state = ''] = key.split('\u0000');
        this.set({ queue, state }, value);
      }
    },
  });
}

/**
 * A labelled gauge's values at each scrape: a label set seen once stays, at 0 when the read no
 * longer has it (a drained system's queue reads 0 rather than vanishing).
 */
export class LabelledValues {
  readonly #seen = new Set<string>();

  update(entries: readonly (readonly [string, number])[]): Map<string, number> {
    const values = new Map<string, number>();
    for (const key of this.#seen) values.set(key, 0);
    for (const [key, value] of entries) {
      values.set(key, (values.get(key) ?? 0) + value);
      this.#seen.add(key);
    }
    return values;
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
