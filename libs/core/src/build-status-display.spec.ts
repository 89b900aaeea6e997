import { describe, expect, it } from '@jest/globals';
import { BUILD_STATUS_LABELS, buildStatusTone } from './build-status-display';

describe('build status display', () => {
  it("uses Hydra's wording and colour families", () => {
    expect(BUILD_STATUS_LABELS.cancelled).toBe('Cancelled by user');
    expect(BUILD_STATUS_LABELS.unsupported).toBe('Unsupported system type');
    expect(buildStatusTone('succeeded')).toBe('success');
    // Hydra's icons: a grey cross for a dependency's failure, a red one for failed with output.
    expect(buildStatusTone('dependency-failed')).toBe('stopped');
    expect(buildStatusTone('failed-with-output')).toBe('failure');
    expect(buildStatusTone('timed-out')).toBe('failure');
    expect(buildStatusTone('cancelled')).toBe('stopped');
    expect(buildStatusTone('running')).toBe('running');
  });
});
