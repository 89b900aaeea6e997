// Small display helpers for page view models: status badges, times, durations, sizes, paging links.
// Templates only print what these return.
import {
  BUILD_STATUS_LABELS,
  buildStatusName,
  buildStatusTone,
  type BuildStatusName,
  type BuildStatusTone,
} from '@fc/core';

export interface StatusBadge {
  readonly name: BuildStatusName;
  readonly label: string;
  readonly tone: BuildStatusTone;
}

export function statusBadge(name: BuildStatusName): StatusBadge {
  return { name, label: BUILD_STATUS_LABELS[name], tone: buildStatusTone(name) };
}

export function buildBadge(b: {
  finished: boolean;
  buildStatus: number | null;
  startedAt: Date | null;
}): StatusBadge {
  return statusBadge(buildStatusName(b.finished, b.buildStatus, b.startedAt));
}

/** A job matrix cell's badge: from its status code (null: not finished) and whether it started. */
export function matrixCellBadge(code: number | null, started: boolean): StatusBadge {
  return statusBadge(buildStatusName(code !== null, code, started ? STARTED : null));
}
/** Any start time: buildStatusName only asks whether there is one. */
const STARTED = new Date(0);

/** 2026-12-02 03:14:07 UTC: the same on every page, whatever the server's locale. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** 3s, 4m 05s, 2h 03m. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "5 minutes ago" style, relative to now. */
export function formatAgo(date: Date | null | undefined, now = new Date()): string {
  if (!date) return '';
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export interface Pagination {
  readonly from: number;
  readonly to: number;
  readonly total: number;
  /** Whether total is exact (false past the count cap: "more than"). */
  readonly exact: boolean;
  readonly prev: string | null;
  readonly next: string | null;
}

/** Previous/next links keeping the other query parameters. */
export function pagination(
  path: string,
  query: Readonly<Record<string, string | number | undefined>>,
  page: { limit: number; offset: number; total: number; count: number; exact?: boolean },
): Pagination {
  const link = (offset: number): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '' && k !== 'offset') params.set(k, String(v));
    if (offset > 0) params.set('offset', String(offset));
    const s = params.toString();
    return s ? `${path}?${s}` : path;
  };
  const to = page.offset + page.count;
  return {
    from: page.count === 0 ? 0 : page.offset + 1,
    to,
    total: page.total,
    exact: page.exact ?? true,
    prev: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
    next: to < page.total ? link(page.offset + page.limit) : null,
  };
}

export const paths = {
  project: (name: string) => `/project/${encodeURIComponent(name)}`,
  jobset: (project: string, jobset: string) =>
    `/jobset/${encodeURIComponent(project)}/${encodeURIComponent(jobset)}`,
  job: (project: string, jobset: string, job: string) =>
    `/job/${encodeURIComponent(project)}/${encodeURIComponent(jobset)}/${encodeURIComponent(job)}`,
  build: (id: number) => `/build/${id}`,
  evaluation: (id: number) => `/eval/${id}`,
};
