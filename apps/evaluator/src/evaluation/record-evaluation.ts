// The recording phase: in one transaction, the evaluation's errors, its new builds (cached when all
// outputs are already valid) with their outputs in one statement, the membership of
// the builds it reuses (a job whose first output is unchanged keeps the previous evaluation's build,
// as Hydra does), aggregate links, every new build's pg-boss job, a notify-build job per cached build,
// a pull request's notify-evaluation job, and the evaluation's outcome. A
// crash before COMMIT leaves nothing behind for the retry to trip on.
import {
  finishEvaluationSucceeded,
  insertAggregateConstituents,
  insertCachedBuildReports,
  insertEvaluationErrors,
  insertReusedBuilds,
  lockRunningEvaluation,
  previousEvaluationBuilds,
  withTransaction,
  type Pool,
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
import {
  readCachedBuilds,
  validStorePaths,
  type CachedBuildSummary,
  type EvaluatedJob,
  type JobsetEvaluation,
} from '@fc/nix';
import type { Boss } from '@fc/queue';

export interface RecordedEvaluation {
  readonly nrBuilds: number;
  readonly nrNewBuilds: number;
  readonly nrCached: number;
  /** false when another run had already finished this evaluation. */
  readonly recorded: boolean;
}

function firstOutputPath(job: EvaluatedJob): string | null {
  const out = job.outputs['out'];
  if (out !== undefined) return out;
  const names = Object.keys(job.outputs).sort();
  return names[0] === undefined ? null : (job.outputs[names[0]] ?? null);
}

export async function recordEvaluation(
  pool: Pool,
  boss: Boss,
  e: {
    evaluationId: number;
    /** Ties this evaluation's events together (eval_started ... eval_added). */
    traceId: string;
    /** Which notify-build jobs go with the new builds (pending statuses). */
    notices?: BuildNotices;
    /** A pull request's evaluation: publish its notify-evaluation job (its summary status). */
    evaluationNotice?: boolean;
    projectId: number;
    jobsetId: number;
    evaluation: JobsetEvaluation;
    jobsEvaluated: number;
    evalDurationMs: number;
  },
): Promise<RecordedEvaluation> {
  const { evaluation } = e;
  const previous = new Map<string, { buildId: number; finished: boolean }>();
  for (const b of await previousEvaluationBuilds(pool, e.jobsetId, e.evaluationId)) {
    previous.set(`${b.job}\u0000${b.firstOutputPath ?? ''}`, b);
  }
  const reused = new Map<string, number>();
  const reusedUnfinished = new Set<string>();
  for (const job of evaluation.jobs) {
    const b = previous.get(`${job.attr}\u0000${firstOutputPath(job) ?? ''}`);
    if (b === undefined) continue;
    reused.set(job.attr, b.buildId);
    if (!b.finished) reusedUnfinished.add(job.attr);
  }
  // An aggregate is reused only with all its constituents (its named constituents are not inputs
  // of its derivation, so its output path alone does not say they are unchanged).
  for (let changed = true; changed;) {
    changed = false;
    for (const [aggregate, members] of evaluation.constituents) {
      if (reused.has(aggregate) && members.some((m) => !reused.has(m))) {
        reused.delete(aggregate);
        changed = true;
      }
    }
  }
  const fresh = evaluation.jobs.filter((j) => !reused.has(j.attr));
  const valid = await validStorePaths(fresh.flatMap((j) => Object.values(j.outputs)));
  const cached = new Set(
    fresh.filter((j) => Object.values(j.outputs).every((p) => valid.has(p))).map((j) => j.attr),
  );
  // An aggregate depends on its constituents (Hydra): it is never recorded finished (cached) while
  // one of them is unfinished. Queued instead, the queue runner holds it until they have finished.
  const finishedNow = (job: string) => cached.has(job) || (reused.has(job) && !reusedUnfinished.has(job));
  for (let changed = true; changed;) {
    changed = false;
    for (const [aggregate, members] of evaluation.constituents) {
      if (cached.has(aggregate) && !members.every(finishedNow)) {
        cached.delete(aggregate);
        changed = true;
      }
    }
  }
  // A cached build is recorded as the queue runner would record it: what its outputs' nix-support
  // says (status 6, products, metrics, release name) and their sizes. Only cached builds pay for it.
  const cachedJobs = fresh.filter((j) => cached.has(j.attr));
  const summaries = new Map<string, CachedBuildSummary>();
  const read = await readCachedBuilds(cachedJobs.map((j) => j.outputs));
  cachedJobs.forEach((j, i) => summaries.set(j.attr, read[i]!));
  const rows = fresh.map((j) => newBuildRow(j, cached.has(j.attr), summaries.get(j.attr)));

  return withTransaction(pool, async (tx) => {
    if (!(await lockRunningEvaluation(tx, e.evaluationId))) {
      return { nrBuilds: 0, nrNewBuilds: 0, nrCached: 0, recorded: false };
    }
    await insertEvaluationErrors(tx, e.evaluationId, evaluation.errors);
    const ids = await recordNewBuilds(
      tx,
      boss,
      { projectId: e.projectId, jobsetId: e.jobsetId, evaluationId: e.evaluationId },
      rows,
      e.notices,
    );
    await insertCachedBuildReports(
      tx,
      [...summaries].map(([job, s]) => ({
        buildId: ids.get(job)!,
        products: s.products,
        metrics: s.metrics,
      })),
    );
    await insertReusedBuilds(tx, e.evaluationId, [...reused.values()]);
    await announceReusedBuilds(
      tx,
      e.evaluationId,
      [...reused].map(([job, buildId]) => ({ buildId, finished: !reusedUnfinished.has(job) })),
    );
    const buildOf = (job: string) => ids.get(job) ?? reused.get(job);
    const links: { aggregateId: number; constituentId: number }[] = [];
    for (const [aggregate, members] of evaluation.constituents) {
      const aggregateId = buildOf(aggregate);
      if (aggregateId === undefined) continue;
      for (const m of members) {
        const constituentId = buildOf(m);
        if (constituentId !== undefined) links.push({ aggregateId, constituentId });
      }
    }
    await insertAggregateConstituents(tx, links);
    await finishEvaluationSucceeded(tx, e.evaluationId, {
      jobsEvaluated: e.jobsEvaluated,
      nrBuilds: ids.size + reused.size,
      nrNewBuilds: ids.size,
      evalDurationMs: e.evalDurationMs,
    });
    await announceEvaluationAdded(tx, e.traceId, e.jobsetId, e.evaluationId, ids.values());
    if (e.evaluationNotice) await publishEvaluationNotice(tx, boss, e.evaluationId);
    return {
      nrBuilds: ids.size + reused.size,
      nrNewBuilds: ids.size,
      nrCached: rows.filter((r) => r.isCached).length,
      recorded: true,
    };
  });
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
