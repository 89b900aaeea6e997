// How a build status is shown to people: Hydra's wording and its colour family.
import type { BuildStatusName } from './build-status';

/** Hydra's label of each status (its buildStatusToString wording, queued and running added). */
export const BUILD_STATUS_LABELS: Readonly<Record<BuildStatusName, string>> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  'dependency-failed': 'Dependency failed',
  aborted: 'Aborted',
  cancelled: 'Cancelled by user',
  'failed-with-output': 'Failed with output',
  'timed-out': 'Timed out',
  'cached-failure': 'Cached failure',
  unsupported: 'Unsupported system type',
  'log-limit-exceeded': 'Log limit exceeded',
  'output-limit-exceeded': 'Output limit exceeded',
  'non-deterministic': 'Non-deterministic build',
};

/**
 * Hydra's colour families: green for success, red for failures, orange for a failure that still
 * produced output, grey for builds stopped without a verdict, blue while running, pale while queued.
 */
export type BuildStatusTone = 'success' | 'failure' | 'warning' | 'stopped' | 'running' | 'queued';

const TONES: Readonly<Record<BuildStatusName, BuildStatusTone>> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'success',
  failed: 'failure',
  'dependency-failed': 'failure',
  aborted: 'stopped',
  cancelled: 'stopped',
  'failed-with-output': 'warning',
  'timed-out': 'failure',
  'cached-failure': 'failure',
  unsupported: 'stopped',
  'log-limit-exceeded': 'failure',
  'output-limit-exceeded': 'failure',
  'non-deterministic': 'failure',
};

export function buildStatusTone(name: BuildStatusName): BuildStatusTone {
  return TONES[name];
}
