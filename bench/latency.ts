// Latency percentiles of concurrent clients, and the same measured for several subjects in
// alternating rounds, so that a change of the (shared) machine's load touches each alike.

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  /** Calls that answered. */
  readonly n: number;
  /** Calls that failed (counted, not timed), and the first failure's message. */
  readonly errors: number;
  readonly firstError?: string;
  /** CPU time of the measured process (options.cpu) per call, ms. */
  readonly cpuPerCall?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Sample {
  readonly times: number[];
  readonly errors: string[];
}

/** Runs `fn` `requests` times from `concurrency` clients: each answered call's duration (ms), each failure. */
async function sample(fn: () => Promise<unknown>, requests: number, concurrency: number): Promise<Sample> {
  const times: number[] = [];
  const errors: string[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < requests) {
        started++;
        const t = performance.now();
        try {
          await fn();
          times.push(performance.now() - t);
        } catch (e) {
          const cause = (e as { cause?: unknown }).cause;
          errors.push(`${(e as Error).message}${cause instanceof Error ? `: ${cause.message}` : ''}`);
        }
      }
    }),
  );
  return { times, errors };
}

/**
 * Measures each subject in `rounds` alternating rounds of requests / rounds calls (after a warm-up
 * of `warmup` calls each), and returns each subject's percentiles over all its rounds.
 */
export async function measureAlternating(
  subjects: readonly (() => Promise<unknown>)[],
  options: {
    requests: number;
    concurrency: number;
    rounds: number;
    warmup: number;
    /** The CPU time (ms) used so far by a process the calls run in (fc-server), read around each block. */
    cpu?: () => number;
  },
): Promise<Percentiles[]> {
  for (const fn of subjects) await sample(fn, options.warmup, options.concurrency);
  const all: Sample[] = subjects.map(() => ({ times: [], errors: [] }));
  const cpu = subjects.map(() => 0);
  const perRound = Math.ceil(options.requests / options.rounds);
  for (let r = 0; r < options.rounds; r++) {
    for (const [i, fn] of subjects.entries()) {
      const before = options.cpu?.() ?? 0;
      const s = await sample(fn, perRound, options.concurrency);
      cpu[i]! += (options.cpu?.() ?? 0) - before;
      all[i]!.times.push(...s.times);
      all[i]!.errors.push(...s.errors);
    }
  }
  return all.map(({ times, errors }, i) => {
    times.sort((a, b) => a - b);
    return {
      p50: times.length ? percentile(times, 50) : NaN,
      p99: times.length ? percentile(times, 99) : NaN,
      n: times.length,
      errors: errors.length,
      ...(errors.length ? { firstError: errors[0] } : {}),
      ...(options.cpu ? { cpuPerCall: cpu[i]! / (times.length + errors.length) } : {}),
    };
  });
}
