// One build as a row of a table (partials/build-table.ejs): home, jobset, evaluation, builds, job pages.
import type { BuildDetailRow } from '@fc/db';
import { buildBadge, formatAgo, formatTime, paths, type StatusBadge } from './display';

export interface BuildRowView {
  readonly id: number;
  readonly url: string;
  readonly status: StatusBadge;
  readonly project: string;
  readonly projectUrl: string;
  readonly jobset: string;
  readonly jobsetUrl: string;
  readonly job: string;
  readonly jobUrl: string;
  readonly nixName: string;
  readonly system: string;
  /** When it finished, else when it was queued. */
  readonly time: string;
  readonly timeAgo: string;
}

export function toBuildRow(
  b: Pick<
    BuildDetailRow,
    | 'id'
    | 'finished'
    | 'buildStatus'
    | 'startedAt'
    | 'stoppedAt'
    | 'createdAt'
    | 'projectName'
    | 'jobsetName'
    | 'job'
    | 'nixName'
    | 'system'
  >,
  now = new Date(),
): BuildRowView {
  const when = b.stoppedAt ?? b.createdAt;
  return {
    id: b.id,
    url: paths.build(b.id),
    status: buildBadge(b),
    project: b.projectName,
    projectUrl: paths.project(b.projectName),
    jobset: b.jobsetName,
    jobsetUrl: paths.jobset(b.projectName, b.jobsetName),
    job: b.job,
    jobUrl: paths.job(b.projectName, b.jobsetName, b.job),
    nixName: b.nixName ?? '',
    system: b.system,
    time: formatTime(when),
    timeAgo: formatAgo(when, now),
  };
}
