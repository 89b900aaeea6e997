// The build page's view model (templates/pages/build.ejs): everything Hydra's build page shows, as
// display strings and links; the template only prints it.
import {
  BUILD_STATUS_LABELS,
  UnfinishedStatus,
  buildStatusTone,
  redactCredentials,
  stepStatusName,
  type BuildStatusName,
} from '@fc/core';
import type { BuildDetailRow, BuildStepRow } from '@fc/db';
import type { LogTail } from '../../services/build-log-follower';
import { logOriginNotice } from '../../views/log-origin.view';
import { buildBadge, formatBytes, formatDuration, formatTime, paths, type StatusBadge } from './display';

export interface BuildActions {
  readonly cancel: boolean;
  readonly restart: boolean;
  readonly bump: boolean;
}

export function buildDetailView(
  b: BuildDetailRow,
  steps: readonly BuildStepRow[],
  tail: LogTail,
  actions: BuildActions,
  now = new Date(),
) {
  const running = steps.find((s) => s.busy);
  const end = b.stoppedAt ?? (b.startedAt ? now : null);
  return {
    id: b.id,
    status: buildBadge(b),
    finished: b.finished,
    project: b.projectName,
    projectUrl: paths.project(b.projectName),
    jobset: b.jobsetName,
    jobsetUrl: paths.jobset(b.projectName, b.jobsetName),
    job: b.job,
    jobUrl: paths.job(b.projectName, b.jobsetName, b.job),
    evaluationUrl: b.evaluationId !== null ? paths.evaluation(b.evaluationId) : null,
    evaluationId: b.evaluationId,
    nixName: b.nixName ?? '',
    releaseName: b.releaseName ?? '',
    description: b.description ?? '',
    drvPath: b.drvPath,
    system: b.system,
    priority: b.priority,
    bumped: b.globalPriority > 0,
    isCached: b.isCached,
    attempts: b.attempts,
    errorMessage: redactCredentials(b.errorMessage ?? ''),
    machine: running?.machine || (b.finished ? '' : b.startedAt ? 'localhost' : ''),
    queuedAt: formatTime(b.createdAt),
    startedAt: formatTime(b.startedAt),
    stoppedAt: formatTime(b.stoppedAt),
    duration: b.startedAt && end ? formatDuration(end.getTime() - b.startedAt.getTime()) : '',
    size: formatBytes(b.size),
    closureSize: formatBytes(b.closureSize),
    outputs: b.outputs.map((o) => ({ name: o.name, path: o.path, size: formatBytes(o.narSize) })),
    products: b.products.map((p) => ({
      nr: p.productNr,
      type: p.subtype ? `${p.type} (${p.subtype})` : p.type,
      name: p.name,
      size: formatBytes(p.fileSize),
      sha256: p.sha256 ?? '',
      url: productUrl(b.id, p),
    })),
    metrics: b.metrics.map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? '' })),
    constituents: b.constituents.map((id) => ({ id, url: paths.build(id) })),
    steps: steps.map((s) => ({
      nr: s.stepNr,
      drvPath: s.drvPath ?? '',
      status: stepBadge(s),
      machine: s.machine || 'localhost',
      duration:
        s.startTime && (s.stopTime ?? (s.busy ? now : null))
          ? formatDuration((s.stopTime ?? now).getTime() - s.startTime.getTime())
          : '',
      errorMessage: redactCredentials(s.errorMessage ?? ''),
      logUrl: s.hasLog ? `/build/${b.id}/nixlog/${s.stepNr}` : null,
    })),
    log: {
      text: tail.text,
      truncated: tail.truncated,
      offset: tail.offset,
      live: !b.finished,
      streamUrl: `/api/v1/builds/${b.id}/log/stream`,
      fullUrl: `/build/${b.id}/log`,
      hasLog: b.hasLog,
      origin: tail.origin
        ? {
            text: logOriginNotice(b.id, tail.origin),
            buildId: tail.origin.buildId,
            url: paths.build(tail.origin.buildId),
          }
        : null,
    },
    actions,
    /** For the live script: the names of a queued and a running build, each status's label and colour. */
    unfinished: UnfinishedStatus,
    statusDisplay: JSON.stringify(
      Object.fromEntries(
        (Object.keys(BUILD_STATUS_LABELS) as BuildStatusName[]).map((n) => [
          n,
          { label: BUILD_STATUS_LABELS[n], tone: buildStatusTone(n) },
        ]),
      ),
    ),
  };
}

/** Hydra's link: a file under its own name, a directory at its default file (or itself). */
function productUrl(
  buildId: number,
  p: { productNr: number; path: string; defaultPath: string | null; fileSize: number | null },
): string {
  const base = `/build/${buildId}/download/${p.productNr}`;
  const rel = p.defaultPath ?? (p.fileSize !== null ? (p.path.split('/').pop() ?? '') : '');
  const segments = rel.split('/').filter((x) => x !== '');
  return segments.length ? `${base}/${segments.map(encodeURIComponent).join('/')}` : base;
}

function stepBadge(s: BuildStepRow): StatusBadge {
  const name = stepStatusName(s.busy, s.status);
  return { name, label: BUILD_STATUS_LABELS[name], tone: buildStatusTone(name) };
}
