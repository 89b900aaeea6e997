// What the forge's list of open pull requests tells FC that its webhooks did not: a pure comparison
// of that list with the pull requests FC knows, giving the events to receive as if the forge had
// sent them (opened, reopened, synchronize, closed).
import type { PullRequestRow } from '@fc/db';
import type { ForgePullRequest } from '@fc/forges';
import type { PullRequestEvent } from './pull-request-event';

export type ReconcileStep =
  | { readonly kind: 'receive'; readonly event: PullRequestEvent }
  | { readonly kind: 'skip'; readonly number: number; readonly reason: string };

function event(
  action: string,
  pr: ForgePullRequest & { headRepositoryUrl: string },
  listBaseRepository: string | null,
): PullRequestEvent {
  return {
    action,
    baseRepository: pr.baseRepository ?? listBaseRepository,
    number: pr.number,
    title: pr.title,
    author: pr.author,
    headRepositoryUrl: pr.headRepositoryUrl,
    headBranch: pr.headBranch,
    headSha: pr.headSha,
  };
}

/**
 * `open`: the forge's whole list (every page); `known`: FC's pull requests of that forge that are
 * open, or numbered in the list. An open one FC has at its head with a jobset needs nothing; one it
 * has at its head without a jobset is received again (it may be buildable now: the project was
 * switched on, the author trusted).
 */
export function reconcilePullRequests(
  open: readonly ForgePullRequest[],
  known: readonly PullRequestRow[],
  /**
   * "owner/name" of the repository the list is of, for a pull request whose object does not name its
   * base repository (each one's base.repo.full_name is where its commit statuses go).
   */
  baseRepository: string | null = null,
): ReconcileStep[] {
  const byNumber = new Map(known.map((k) => [k.number, k]));
  const listed = new Set<number>();
  const steps: ReconcileStep[] = [];
  for (const pr of open) {
    if (listed.has(pr.number)) continue;
    listed.add(pr.number);
    const { headRepositoryUrl } = pr;
    if (headRepositoryUrl === null) {
      steps.push({
        kind: 'skip',
        number: pr.number,
        reason: 'its head repository (a fork) was deleted: the head cannot be fetched',
      });
      continue;
    }
    const before = byNumber.get(pr.number);
    const at = { ...pr, headRepositoryUrl };
    if (before === undefined) steps.push({ kind: 'receive', event: event('opened', at, baseRepository) });
    else if (before.state === 'closed')
      steps.push({ kind: 'receive', event: event('reopened', at, baseRepository) });
    else if (
      before.headSha !== pr.headSha ||
      before.headRepositoryUrl !== headRepositoryUrl ||
      before.headBranch !== pr.headBranch ||
      before.jobsetId === null
    ) {
      steps.push({ kind: 'receive', event: event('synchronize', at, baseRepository) });
    }
  }
  for (const k of known) {
    if (k.state !== 'open' || listed.has(k.number)) continue;
    steps.push({
      kind: 'receive',
      event: {
        action: 'closed',
        baseRepository: k.baseRepository ?? baseRepository,
        number: k.number,
        title: k.title,
        author: k.author,
        headRepositoryUrl: k.headRepositoryUrl,
        headBranch: k.headBranch,
        headSha: k.headSha,
      },
    });
  }
  return steps;
}
