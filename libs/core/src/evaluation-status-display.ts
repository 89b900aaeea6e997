// How an evaluation's status is shown to people: its label and the colour family builds use.
import type { BuildStatusTone } from './build-status-display';
import type { EvaluationStatus } from './jobset-vocabulary';

export type EvaluationStatusTone = Extract<
  BuildStatusTone,
  'queued' | 'running' | 'success' | 'failure' | 'stopped'
>;

export const EVALUATION_STATUS_DISPLAY: Readonly<
  Record<EvaluationStatus, { readonly label: string; readonly tone: EvaluationStatusTone }>
> = {
  queued: { label: 'Queued', tone: 'queued' },
  running: { label: 'Running', tone: 'running' },
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'failure' },
  unchanged: { label: 'Unchanged', tone: 'stopped' },
};
