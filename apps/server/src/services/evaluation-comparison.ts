// Hydra's comparison of an evaluation's builds with the previous evaluation's (its BuildDiff), on two
// lists in memory: builds are matched by job and system; each falls in one group. FC computes it in
// SQL (compareEvaluationBuilds in @fc/db, which never reads every build into fc-server); this is the
// reference that SQL is checked against (evaluation-comparison.int-spec.ts).
import { BuildStatus } from '@fc/core';

const SUCCEEDED = BuildStatus.Succeeded;

export interface ComparedBuild {
  readonly id: number;
  readonly job: string;
  readonly system: string;
  readonly finished: boolean;
  readonly buildStatus: number | null;
}

export interface EvaluationComparison<B extends ComparedBuild> {
  /** Failing now, succeeded in the previous evaluation. */
  readonly nowFail: B[];
  readonly stillFail: B[];
  readonly nowSucceed: B[];
  readonly stillSucceed: B[];
  /** Jobs the previous evaluation did not have. */
  readonly new: B[];
  /** Jobs (and systems) only the previous evaluation had. */
  readonly removed: { job: string; system: string }[];
  /** Not finished, here or in the previous evaluation. */
  readonly unfinished: B[];
  /** Aborted, cancelled, timed out or past the log limit: no verdict on the job. */
  readonly aborted: B[];
  readonly totalFailed: number;
  readonly totalAborted: number;
  readonly totalQueued: number;
}

const ABORTED: ReadonlySet<number> = new Set([
  BuildStatus.Aborted,
  BuildStatus.Cancelled,
  BuildStatus.TimedOut,
  BuildStatus.LogLimitExceeded,
]);

function compareKeys(a: ComparedBuild, b: ComparedBuild): number {
  if (a.job !== b.job) return a.job < b.job ? -1 : 1;
  if (a.system !== b.system) return a.system < b.system ? -1 : 1;
  return 0;
}

export function compareBuildLists<B extends ComparedBuild>(
  current: readonly B[],
  previous: readonly ComparedBuild[],
): EvaluationComparison<B> {
  const builds = [...current].sort(compareKeys);
  const builds2 = [...previous].sort(compareKeys);
  const out: EvaluationComparison<B> = {
    nowFail: [],
    stillFail: [],
    nowSucceed: [],
    stillSucceed: [],
    new: [],
    removed: [],
    unfinished: [],
    aborted: [],
    totalFailed: 0,
    totalAborted: 0,
    totalQueued: 0,
  };
  const counts = { failed: 0, aborted: 0, queued: 0 };
  let n = 0;
  for (const build of builds) {
    const aborted = build.finished && build.buildStatus !== null && ABORTED.has(build.buildStatus);
    let found = false;
    while (n < builds2.length) {
      const build2 = builds2[n]!;
      const d = compareKeys(build, build2);
      if (d < 0) break;
      n++;
      if (d > 0) {
        out.removed.push({ job: build2.job, system: build2.system });
        continue;
      }
      found = true;
      if (aborted) break;
      if (!build.finished || !build2.finished) out.unfinished.push(build);
      else if (build.buildStatus === SUCCEEDED && build2.buildStatus === SUCCEEDED)
        out.stillSucceed.push(build);
      else if (build.buildStatus !== SUCCEEDED && build2.buildStatus !== SUCCEEDED) out.stillFail.push(build);
      else if (build.buildStatus === SUCCEEDED) out.nowSucceed.push(build);
      else out.nowFail.push(build);
      break;
    }
    if (aborted) out.aborted.push(build);
    else if (!found) out.new.push(build);
    if (build.finished && build.buildStatus !== SUCCEEDED) {
      if (aborted) counts.aborted++;
      else counts.failed++;
    } else if (!build.finished) counts.queued++;
  }
  for (; n < builds2.length; n++) out.removed.push({ job: builds2[n]!.job, system: builds2[n]!.system });
  return { ...out, totalFailed: counts.failed, totalAborted: counts.aborted, totalQueued: counts.queued };
}
