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
 * Hydra's colour families (its status icons): green for success, red for a build that failed on its
 * own (the red cross, also for failed with output), grey for one that did not run to a verdict of
 * its own (dependency failed: Hydra's grey cross; aborted, cancelled, unsupported), blue while
 * running, pale while queued.
 */
export type BuildStatusTone = 'success' | 'failure' | 'stopped' | 'running' | 'queued';

const TONES: Readonly<Record<BuildStatusName, BuildStatusTone>> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'success',
  failed: 'failure',
  'dependency-failed': 'stopped',
  aborted: 'stopped',
  cancelled: 'stopped',
  'failed-with-output': 'failure',
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
