// One evaluation as a row (partials/evaluation-table.ejs): home, evaluations, project, jobset pages.
import { EVALUATION_STATUS_DISPLAY, type EvaluationStatusTone } from '@fc/core';
import type { EvaluationBuildCountsRow, EvaluationDetailRow } from '@fc/db';
import { formatAgo, formatDuration, formatTime, paths } from './display';

export type EvaluationTone = EvaluationStatusTone;

export interface EvaluationRowView {
  readonly id: number;
  readonly url: string;
  readonly project: string;
  readonly projectUrl: string;
  readonly jobset: string;
  readonly jobsetUrl: string;
  readonly status: { readonly name: string; readonly label: string; readonly tone: EvaluationTone };
  /** What a running evaluation is doing (checkout, evaluating, recording...). */
  readonly phase: string;
  readonly revision: string;
  readonly time: string;
  readonly timeAgo: string;
  readonly duration: string;
  readonly counts: { total: number; succeeded: number; failed: number; unfinished: number } | null;
  readonly newBuilds: number;
  readonly errorCount: number;
}

export function toEvaluationRow(
  e: EvaluationDetailRow,
  counts: EvaluationBuildCountsRow | undefined,
  now = new Date(),
): EvaluationRowView {
  const s = EVALUATION_STATUS_DISPLAY[e.status];
  const duration =
    (e.checkoutDurationMs ?? 0) + (e.evalDurationMs ?? 0) > 0
      ? formatDuration((e.checkoutDurationMs ?? 0) + (e.evalDurationMs ?? 0))
      : '';
  return {
    id: e.id,
    url: paths.evaluation(e.id),
    project: e.projectName,
    projectUrl: paths.project(e.projectName),
    jobset: e.jobsetName,
    jobsetUrl: paths.jobset(e.projectName, e.jobsetName),
    status: { name: e.status, label: s.label, tone: s.tone },
    phase: e.status === 'running' ? (e.phase ?? '') : '',
    revision: e.revision ? e.revision.slice(0, 12) : '',
    time: formatTime(e.createdAt),
    timeAgo: formatAgo(e.createdAt, now),
    duration,
    counts: counts
      ? {
          total: counts.total,
          succeeded: counts.succeeded,
          failed: counts.failed,
          unfinished: counts.unfinished,
        }
      : null,
    newBuilds: e.nrNewBuilds,
    errorCount: e.errors.length + (e.error ? 1 : 0),
  };
}
