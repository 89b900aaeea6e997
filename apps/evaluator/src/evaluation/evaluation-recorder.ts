// The recording phase, streamed: jobs are recorded in batches as the evaluator passes them on, all in
// one transaction that commits when the evaluation is done, so its builds appear at once (Hydra's
// evaluation is atomic) while fc-evaluator holds one batch at a time, whatever the number of jobs.
// Each batch: which jobs a build of the previous evaluation already stands for (Hydra's dedup: same
// job name and first output path; those builds are reused), which new builds are cached (all outputs
// already valid; recorded as the queue runner would record them), the new builds with their outputs
// and build jobs, the reused builds' membership, and what is announced of each. Aggregates come last
// (evaluateJobset resolves them once every job is known): one is reused only with all its
// constituents, and is never recorded finished while a constituent is unfinished. Then the
// evaluation's errors, aggregate links, outcome and a pull request's notify-evaluation job, and (a
// template jobset's evaluation) the removal of the closed pull requests' jobsets it outlived
// (keep_nr); a crash before COMMIT leaves nothing behind.
import {
  finishEvaluationSucceeded,
  evaluationJobStates,
  insertAggregateConstituents,
  insertCachedBuildReports,
  insertEvaluationErrors,
  insertReusedBuilds,
  lockRunningEvaluation,
  previousSucceededEvaluationId,
  readEvaluationBuilds,
  type Pool,
  type PoolClient,
} from '@fc/db';
import {
  announceEvaluationAdded,
  announceReusedBuilds,
  newBuildJobId,
  publishEvaluationNotice,
  recordNewBuilds,
  type BuildNotices,
  type NewBuildRow,
} from '@fc/builds';
import { readCachedBuilds, validStorePaths, type CachedBuildSummary, type EvaluatedJob } from '@fc/nix';
import { removeRetiredPullRequestJobsets } from '@fc/pull-requests';
import type { Boss } from '@fc/queue';

export interface RecordedEvaluation {
  readonly nrBuilds: number;
  readonly nrNewBuilds: number;
  readonly nrCached: number;
  /** false when another run had already finished this evaluation. */
  readonly recorded: boolean;
  /** Closed pull requests' jobsets removed with it (it was their template's keep_nr-th evaluation). */
  readonly removedPullRequestJobsets: readonly { number: number; jobset: string }[];
}

export interface RecorderScope {
  readonly evaluationId: number;
  /** Ties this evaluation's events together (eval_started ... eval_added). */
  readonly traceId: string;
  readonly projectId: number;
  readonly jobsetId: number;
  /** Which notify-build jobs go with the new builds (pending statuses). */
  readonly notices?: BuildNotices;
  /** A pull request's evaluation: publish its notify-evaluation job (its summary status). */
  readonly evaluationNotice?: boolean;
}

/** Jobs recorded per statement batch. */
export const RECORD_BATCH = 2000;
/** Batches waiting to be recorded before the evaluator is held. */
const MAX_WAITING_BATCHES = 2;

/** What the recording spent its time on (ms), for the log. */
export interface RecordingTimes {
  /** From the first job received to the commit. */
  readonly sinceFirstJobMs: number;
  /** Time the recording itself was busy (its statements, validity checks and cached builds' reads). */
  readonly busyMs: number;
  /** Of that: looking up reusable builds, recording new builds, recording reused ones. */
  readonly phasesMs: Readonly<Record<RecordingPhase, number>>;
}

export type RecordingPhase = 'dedup' | 'newBuilds' | 'reused';

/** A build of the previous evaluation a job may reuse. */
interface ReusableBuild {
  readonly buildId: number;
  readonly finished: boolean;
}

/** The job's first output path ("out" when it has one): Hydra's dedup key with the job name. */
function firstOutputPath(job: EvaluatedJob): string | null {
  const out = job.outputs['out'];
  if (out !== undefined) return out;
  const name = Object.keys(job.outputs).sort()[0];
  return name === undefined ? null : job.outputs[name]!;
}

export class EvaluationRecorder {
  private client: PoolClient | undefined;
  /**
   * The previous evaluation's builds by job name, with their first output path: read once when the
   * transaction begins, and each entry dropped once its job is seen (a job name comes once).
   */
  private readonly previous = new Map<
    string,
    { buildId: number; finished: boolean; firstOutputPath: string | null }
  >();
  private buffer: EvaluatedJob[] = [];
  private readonly aggregates: EvaluatedJob[] = [];
  private chain: Promise<void> = Promise.resolve();
  private waiting = 0;
  private failure: { error: Error } | undefined;
  private closed = false;
  private newBuilds = 0;
  private reusedBuilds = 0;
  private cachedBuilds = 0;
  private lowestNewId: number | undefined;
  private firstJobAt: number | undefined;
  private busyMs = 0;
  private readonly phasesMs: Record<RecordingPhase, number> = { dedup: 0, newBuilds: 0, reused: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    private readonly scope: RecorderScope,
  ) {}

  /**
   * Takes a job (EvalJobsRequest.onJob); returns a promise when the evaluator should wait for the
   * recording, and a rejected one when the recording failed.
   */
  add(job: EvaluatedJob): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    this.firstJobAt ??= performance.now();
    if (job.isAggregate) {
      this.aggregates.push(job);
      return;
    }
    this.buffer.push(job);
    if (this.buffer.length < RECORD_BATCH) return;
    const batch = this.buffer;
    this.buffer = [];
    const recorded = this.enqueue(() => this.recordBatch(batch));
    return this.waiting > MAX_WAITING_BATCHES ? recorded : undefined;
  }

  /** Records what is left, the errors, the aggregate links and the outcome, and commits. */
  async finish(e: {
    errors: ReadonlyMap<string, string>;
    constituents: ReadonlyMap<string, readonly string[]>;
    jobsEvaluated: number;
    evalDurationMs: number;
  }): Promise<RecordedEvaluation & { times: RecordingTimes }> {
    const batch = this.buffer;
    this.buffer = [];
    await this.enqueue(() => this.recordBatch(batch));
    const started = performance.now();
    const tx = await this.transaction();
    if (!(await lockRunningEvaluation(tx, this.scope.evaluationId))) {
      await this.close();
      return {
        nrBuilds: 0,
        nrNewBuilds: 0,
        nrCached: 0,
        recorded: false,
        removedPullRequestJobsets: [],
        times: this.times(started),
      };
    }
    const aggregateIds = await this.recordAggregates(tx, e.constituents);
    await this.linkConstituents(tx, e.constituents, aggregateIds);
    await insertEvaluationErrors(tx, this.scope.evaluationId, e.errors);
    const nrBuilds = this.newBuilds + this.reusedBuilds;
    await finishEvaluationSucceeded(tx, this.scope.evaluationId, {
      jobsEvaluated: e.jobsEvaluated,
      nrBuilds,
      nrNewBuilds: this.newBuilds,
      evalDurationMs: e.evalDurationMs,
    });
    await announceEvaluationAdded(
      tx,
      this.scope.traceId,
      this.scope.jobsetId,
      this.scope.evaluationId,
      this.lowestNewId === undefined ? [] : [this.lowestNewId],
    );
    if (this.scope.evaluationNotice) await publishEvaluationNotice(tx, this.boss, this.scope.evaluationId);
    const removedPullRequestJobsets = await removeRetiredPullRequestJobsets(
      tx,
      this.scope.projectId,
      this.scope.jobsetId,
    );
    await tx.query('COMMIT');
    this.release(false);
    return {
      removedPullRequestJobsets,
      nrBuilds,
      nrNewBuilds: this.newBuilds,
      nrCached: this.cachedBuilds,
      recorded: true,
      times: this.times(started),
    };
  }

  /** Rolls back whatever was recorded (the evaluation failed, or the recording did). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    const client = this.client;
    if (!client) return;
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    this.release(!rolledBack);
  }

  private times(finishStarted: number): RecordingTimes {
    const now = performance.now();
    this.busyMs += now - finishStarted;
    const phasesMs = Object.fromEntries(
      Object.entries(this.phasesMs).map(([k, v]) => [k, Math.round(v)]),
    ) as Record<RecordingPhase, number>;
    return { sinceFirstJobMs: now - (this.firstJobAt ?? finishStarted), busyMs: this.busyMs, phasesMs };
  }

  private async timed<T>(phase: RecordingPhase, step: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await step();
    } finally {
      this.phasesMs[phase] += performance.now() - t;
    }
  }

  private release(destroy: boolean): void {
    this.client?.release(destroy);
    this.client = undefined;
    this.closed = true;
  }

  /** Runs `step` after the ones before it; a failure fails every later add(). */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.waiting++;
    const run = this.chain.then(async () => {
      const t = performance.now();
      try {
        await step();
      } finally {
        this.busyMs += performance.now() - t;
        this.waiting--;
      }
    });
    this.chain = run.catch((error: unknown) => {
      this.failure ??= { error: error instanceof Error ? error : new Error(String(error)) };
    });
    return run;
  }

  /** The recording's transaction, begun with the first batch. */
  private async transaction(): Promise<PoolClient> {
    if (this.failure) throw this.failure.error;
    if (this.client) return this.client;
    if (this.closed) throw new Error('the evaluation recorder is closed');
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const previousId = await previousSucceededEvaluationId(
        client,
        this.scope.jobsetId,
        this.scope.evaluationId,
      );
      if (previousId !== null) {
        await this.timed('dedup', () =>
          readEvaluationBuilds(client, previousId, (rows) => {
            for (const { job, ...b } of rows) this.previous.set(job, b);
          }),
        );
      }
    } catch (e) {
      client.release(true);
      throw e;
    }
    this.client = client;
    return client;
  }

  /** The jobs a build of the previous evaluation stands for (same name, same first output path). */
  private reusable(jobs: readonly EvaluatedJob[]): Map<string, ReusableBuild> {
    const reused = new Map<string, ReusableBuild>();
    for (const job of jobs) {
      const b = this.previous.get(job.attr);
      if (b === undefined) continue;
      this.previous.delete(job.attr);
      if (b.firstOutputPath === firstOutputPath(job))
        reused.set(job.attr, { buildId: b.buildId, finished: b.finished });
    }
    return reused;
  }

  /** Which of `jobs` have every output valid already (cached builds, when not reused). */
  private static async allValid(jobs: readonly EvaluatedJob[]): Promise<Set<string>> {
    const valid = await validStorePaths(jobs.flatMap((j) => Object.values(j.outputs)));
    return new Set(
      jobs.filter((j) => Object.values(j.outputs).every((p) => valid.has(p))).map((j) => j.attr),
    );
  }

  private async recordBatch(batch: readonly EvaluatedJob[]): Promise<void> {
    if (batch.length === 0) return;
    const tx = await this.transaction();
    const reused = await this.timed('dedup', () => Promise.resolve(this.reusable(batch)));
    const fresh = batch.filter((j) => !reused.has(j.attr));
    await this.timed('newBuilds', async () =>
      this.recordFresh(tx, fresh, await EvaluationRecorder.allValid(fresh)),
    );
    await this.timed('reused', () => this.recordReused(tx, batch, reused));
  }

  /** New builds, cached ones with what their outputs say; returns job name → build id. */
  private async recordFresh(
    tx: PoolClient,
    fresh: readonly EvaluatedJob[],
    cached: ReadonlySet<string>,
  ): Promise<Map<string, number>> {
    if (fresh.length === 0) return new Map();
    // A cached build is recorded as the queue runner would record it: what its outputs' nix-support
    // says (status 6, products, metrics, release name) and their sizes. Only cached builds pay for it.
    const cachedJobs = fresh.filter((j) => cached.has(j.attr));
    const summaries = new Map<string, CachedBuildSummary>();
    const read = await readCachedBuilds(cachedJobs.map((j) => j.outputs));
    cachedJobs.forEach((j, i) => summaries.set(j.attr, read[i]!));
    const rows = fresh.map((j) => newBuildRow(j, cached.has(j.attr), summaries.get(j.attr)));
    const { evaluationId, projectId, jobsetId } = this.scope;
    const ids = await recordNewBuilds(
      tx,
      this.boss,
      { projectId, jobsetId, evaluationId },
      rows,
      this.scope.notices,
    );
    await insertCachedBuildReports(
      tx,
      [...summaries].map(([job, s]) => ({
        buildId: ids.get(job)!,
        products: s.products,
        metrics: s.metrics,
      })),
    );
    this.newBuilds += ids.size;
    this.cachedBuilds += cachedJobs.length;
    for (const id of ids.values())
      if (this.lowestNewId === undefined || id < this.lowestNewId) this.lowestNewId = id;
    return ids;
  }

  private async recordReused(
    tx: PoolClient,
    jobs: readonly EvaluatedJob[],
    reused: ReadonlyMap<string, ReusableBuild>,
  ): Promise<void> {
    if (reused.size === 0) return;
    // In evaluation order.
    const builds = jobs.flatMap((j) => {
      const b = reused.get(j.attr);
      return b ? [b] : [];
    });
    await insertReusedBuilds(
      tx,
      this.scope.evaluationId,
      builds.map((b) => b.buildId),
    );
    await announceReusedBuilds(tx, this.scope.evaluationId, builds);
    this.reusedBuilds += builds.length;
  }

  /** The aggregates, once every other job is recorded; returns aggregate name → build id. */
  private async recordAggregates(
    tx: PoolClient,
    constituents: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, number>> {
    const aggregates = this.aggregates;
    if (aggregates.length === 0) return new Map();
    const names = new Set(aggregates.map((a) => a.attr));
    const members = [...new Set([...constituents.values()].flat())].filter((m) => !names.has(m));
    const states = await evaluationJobStates(tx, this.scope, members);
    const reused = this.reusable(aggregates);
    // An aggregate is reused only with all its constituents (its named constituents are not inputs
    // of its derivation, so its output path alone does not say they are unchanged).
    const memberReused = (m: string) => (names.has(m) ? reused.has(m) : states.get(m)?.reused === true);
    for (let changed = true; changed;) {
      changed = false;
      for (const [aggregate, list] of constituents) {
        if (reused.has(aggregate) && !list.every(memberReused)) {
          reused.delete(aggregate);
          changed = true;
        }
      }
    }
    const fresh = aggregates.filter((a) => !reused.has(a.attr));
    const cached = await EvaluationRecorder.allValid(fresh);
    // Never recorded finished (cached) while a constituent is unfinished: queued instead, the queue
    // runner holds it until they have finished.
    const finishedNow = (m: string) =>
      names.has(m)
        ? cached.has(m) || (reused.has(m) && reused.get(m)!.finished)
        : states.get(m)?.finished === true;
    for (let changed = true; changed;) {
      changed = false;
      for (const [aggregate, list] of constituents) {
        if (cached.has(aggregate) && !list.every(finishedNow)) {
          cached.delete(aggregate);
          changed = true;
        }
      }
    }
    const ids = await this.recordFresh(tx, fresh, cached);
    await this.recordReused(tx, aggregates, reused);
    for (const [name, b] of reused) ids.set(name, b.buildId);
    for (const [name, s] of states) ids.set(name, s.buildId);
    return ids;
  }

  private async linkConstituents(
    tx: PoolClient,
    constituents: ReadonlyMap<string, readonly string[]>,
    buildIds: ReadonlyMap<string, number>,
  ): Promise<void> {
    const links: { aggregateId: number; constituentId: number }[] = [];
    for (const [aggregate, members] of constituents) {
      const aggregateId = buildIds.get(aggregate);
      if (aggregateId === undefined) continue;
      for (const m of members) {
        const constituentId = buildIds.get(m);
        if (constituentId !== undefined) links.push({ aggregateId, constituentId });
      }
    }
    await insertAggregateConstituents(tx, links);
  }
}

/** The row a new build of `job` is inserted as; a cached build gets no queue job. */
export function newBuildRow(
  j: EvaluatedJob,
  isCached: boolean,
  cachedResult?: NewBuildRow['cachedResult'],
): NewBuildRow & { outputs: EvaluatedJob['outputs'] } {
  return {
    job: j.attr,
    nixName: j.nixName,
    drvPath: j.drvPath,
    system: j.system,
    description: j.description,
    license: j.license,
    homepage: j.homepage,
    maintainers: j.maintainers,
    priority: j.schedulingPriority,
    timeout: j.timeout,
    maxSilent: j.maxSilent,
    requiredFeatures: j.requiredFeatures,
    isAggregate: j.isAggregate === true,
    isChannel: j.isChannel,
    isCached,
    queueJobId: isCached ? null : newBuildJobId(),
    cachedResult,
    outputs: j.outputs,
  };
}
