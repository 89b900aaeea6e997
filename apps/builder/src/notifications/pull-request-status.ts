// Commit statuses of a pull request's builds. They go to the pull request's head commit (each
// revision its evaluation fetched from the head repository) through the BASE repository's statuses
// API: a fork's commits are the base repository's too once the pull request is open, and the token
// FC holds is the base repository's owner's (none configured for that owner: no status). Besides one status per job, an evaluation has a summary
// status, `fc:<project>:<jobset>`: pending while a build is unfinished, then success or failure.
import { baseRepositoryNames, sameRepository } from '@fc/core';
import type { EvaluationProgress, PullRequestStatusScope } from '@fc/db';
import {
  statusToken,
  type CommitStatusBody,
  type CommitStatusTarget,
  type ForgeSettings,
} from './commit-status';

const SHA = /^[0-9a-f]{40}$/;

/** The commits an evaluation fetched from the pull request's head repository. */
export function pullRequestHeadRevisions(
  inputRevisions: Record<string, unknown>,
  headRepositoryUrl: string,
): string[] {
  const revs = new Set<string>();
  for (const value of Object.values(inputRevisions)) {
    if (typeof value !== 'object' || value === null) continue;
    const { uri, rev } = value as { uri?: unknown; rev?: unknown };
    if (typeof uri !== 'string' || typeof rev !== 'string' || !SHA.test(rev)) continue;
    if (sameRepository(uri, headRepositoryUrl)) revs.add(rev);
  }
  return [...revs].sort();
}

/** The pull request's head commits among these evaluations' revisions, as statuses targets. */
export function pullRequestStatusTargets(
  scope: Pick<
    PullRequestStatusScope,
    'forge' | 'baseRepository' | 'projectRepositoryUrl' | 'headRepositoryUrl'
  >,
  revisionSets: readonly Record<string, unknown>[],
  forges: ForgeSettings,
): CommitStatusTarget[] {
  const api = scope.forge === 'github' ? forges.github?.apiUrl : forges.gitea?.url;
  const base = baseRepositoryNames(scope.baseRepository, scope.projectRepositoryUrl);
  if (api === undefined || base === undefined) return [];
  if (statusToken(forges, scope.forge, base.owner) === undefined) return [];
  const host = new URL(api).host;
  const shas = new Set(revisionSets.flatMap((r) => pullRequestHeadRevisions(r, scope.headRepositoryUrl)));
  return [...shas].sort().map((sha) => ({
    forge: scope.forge,
    ...base,
    sha,
    label: `${host}/${base.owner}/${base.repo}@${sha}`,
  }));
}

export function wantsJobStatuses(mode: PullRequestStatusScope['statuses']): boolean {
  return mode !== 'summary';
}

export function wantsSummaryStatus(mode: PullRequestStatusScope['statuses']): boolean {
  return mode !== 'jobs';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The evaluation's summary status: pending while it runs or any of its builds is unfinished; success
 * when every build succeeded and every job evaluated; failure otherwise (a failed evaluation too).
 * undefined for an evaluation that recorded nothing (unchanged inputs).
 */
export function evaluationSummaryBody(
  e: Pick<EvaluationProgress, 'id' | 'status' | 'builds' | 'finished' | 'succeeded' | 'jobErrors'>,
  scope: Pick<PullRequestStatusScope, 'projectName' | 'jobsetName'>,
  baseUrl: string | undefined,
): CommitStatusBody | undefined {
  const status = (state: CommitStatusBody['state'], text: string): CommitStatusBody => ({
    state,
    context: `fc:${scope.projectName}:${scope.jobsetName}`,
    // GitHub refuses descriptions over 140 characters.
    description: `Evaluation ${e.id}: ${text}`.slice(0, 140),
    ...(baseUrl ? { target_url: `${baseUrl.replace(/\/+$/, '')}/eval/${e.id}` } : {}),
  });
  switch (e.status) {
    case 'unchanged':
      return undefined;
    case 'queued':
    case 'running':
      return status('pending', 'evaluating');
    case 'failed':
      return status('failure', 'the evaluation failed');
    case 'succeeded':
      break;
  }
  const evalErrors = e.jobErrors > 0 ? `, ${plural(e.jobErrors, 'job')} failed to evaluate` : '';
  if (e.finished < e.builds) {
    return status('pending', `${e.finished} of ${plural(e.builds, 'build')} finished${evalErrors}`);
  }
  const failed = e.builds - e.succeeded;
  if (failed === 0 && e.jobErrors === 0) {
    return status(
      'success',
      e.builds === 0
        ? 'nothing to build'
        : `${e.builds === 1 ? 'the build' : `all ${e.builds} builds`} succeeded`,
    );
  }
  return status(
    'failure',
    failed > 0 ? `${failed} of ${plural(e.builds, 'build')} failed${evalErrors}` : evalErrors.slice(2),
  );
}
