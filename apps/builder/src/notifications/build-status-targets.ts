// Where a build's own commit status goes. A build of a pull request's jobset reports at the pull
// request's head commits in the base repository (pull-request-status.ts): the head its evaluation
// fetched, and the newer head of the jobset's latest evaluation when that one reused the build; and
// only when the project wants per-job statuses. Any other build reports to every forge repository
// its evaluation fetched (commit-status.ts).
import {
  evaluationInputRevisions,
  pullRequestOfJobset,
  reportedEvaluationsOfBuild,
  type BuildDetailRow,
  type Queryable,
  type PullRequestStatusScope,
} from '@fc/db';
import { commitStatusTargets, type CommitStatusTarget, type ForgeSettings } from './commit-status';
import { pullRequestStatusTargets, wantsJobStatuses } from './pull-request-status';

export interface BuildStatusTargets {
  readonly targets: CommitStatusTarget[];
  /** The pull request whose jobset built it, if any. */
  readonly pullRequest: PullRequestStatusScope | undefined;
  /** The pull request's evaluations the build is reported for (their summaries may change with it). */
  readonly evaluationIds: readonly number[];
}

export async function buildStatusTargets(
  db: Queryable,
  build: Pick<BuildDetailRow, 'id' | 'jobsetId' | 'evaluationId'>,
  forges: ForgeSettings,
): Promise<BuildStatusTargets> {
  const pullRequest = await pullRequestOfJobset(db, build.jobsetId);
  if (pullRequest === undefined) {
    const revisions =
      build.evaluationId === null ? {} : ((await evaluationInputRevisions(db, build.evaluationId)) ?? {});
    return { targets: commitStatusTargets(revisions, forges), pullRequest, evaluationIds: [] };
  }
  const evaluationIds = await reportedEvaluationsOfBuild(db, build.id);
  if (!wantsJobStatuses(pullRequest.statuses)) return { targets: [], pullRequest, evaluationIds };
  const revisionSets: Record<string, unknown>[] = [];
  for (const id of evaluationIds) revisionSets.push((await evaluationInputRevisions(db, id)) ?? {});
  return {
    targets: pullRequestStatusTargets(pullRequest, revisionSets, forges),
    pullRequest,
    evaluationIds,
  };
}
