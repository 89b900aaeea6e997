// One pull request as a row of the project page's "Pull requests" table: who opened it, its head,
// whether FC trusts it, its jobset and that jobset's latest evaluation.
import type { EvaluationBuildCountsRow, EvaluationDetailRow, PullRequestRow } from '@fc/db';
import type { Disclosure } from '../../views/disclosure';
import { shownText } from '../../views/disclosure';
import { paths } from './display';
import { toEvaluationRow, type EvaluationRowView } from './evaluation-row';

export type PullRequestTrust = 'trusted' | 'approved' | 'waiting';

export interface PullRequestRowView {
  readonly number: number;
  readonly title: string;
  readonly author: string;
  readonly state: 'open' | 'closed' | 'merged';
  readonly headBranch: string;
  readonly headSha: string;
  readonly headShortSha: string;
  /** The head repository when it is not the project's own (a fork), else ''. */
  readonly fork: string;
  readonly trust: { readonly kind: PullRequestTrust; readonly label: string };
  readonly jobset: { readonly name: string; readonly url: string } | null;
  readonly latest: EvaluationRowView | null;
  /** An open pull request waiting for approval: the approve button's target. */
  readonly approveUrl: string | null;
}

const TRUST_LABEL: Record<PullRequestTrust, string> = {
  trusted: 'trusted',
  approved: 'approved',
  waiting: 'waiting for approval',
};

export function toPullRequestRow(
  x: {
    readonly pr: PullRequestRow;
    readonly waiting: boolean;
    readonly fork: boolean;
    readonly jobsetName: string | null;
    readonly latest: EvaluationDetailRow | undefined;
    readonly counts: EvaluationBuildCountsRow | undefined;
  },
  projectName: string,
  d: Disclosure,
  now = new Date(),
): PullRequestRowView {
  const { pr } = x;
  const trust: PullRequestTrust = x.waiting ? 'waiting' : pr.approvedAt !== null ? 'approved' : 'trusted';
  return {
    number: pr.number,
    title: pr.title ?? '',
    author: pr.author,
    state: pr.state === 'open' ? 'open' : pr.merged ? 'merged' : 'closed',
    headBranch: pr.headBranch,
    headSha: pr.headSha,
    headShortSha: pr.headSha.slice(0, 12),
    fork: x.fork ? shownText(pr.headRepositoryUrl, d) : '',
    trust: { kind: trust, label: TRUST_LABEL[trust] },
    jobset:
      x.jobsetName === null ? null : { name: x.jobsetName, url: paths.jobset(projectName, x.jobsetName) },
    latest: x.latest ? toEvaluationRow(x.latest, x.counts, now) : null,
    approveUrl:
      x.waiting && pr.state === 'open'
        ? `${paths.project(projectName)}/pull-requests/${pr.number}/approve`
        : null,
  };
}
