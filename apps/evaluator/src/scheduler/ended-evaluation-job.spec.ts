import { describe, expect, it } from '@jest/globals';
import { endedEvaluationError } from './ended-evaluation-job';

describe('endedEvaluationError', () => {
  it('leaves an evaluation alone while its job may still finish it', () => {
    for (const state of ['created', 'retry', 'active'] as const) {
      expect(endedEvaluationError({ state, retryCount: 1, output: null })).toBeUndefined();
    }
  });

  it("fails it with the last attempt's error when every retry failed", () => {
    expect(
      endedEvaluationError({
        state: 'failed',
        retryCount: 3,
        output: { message: 'value "3000000000" is out of range for type integer', stack: '...' },
      }),
    ).toBe('the evaluation failed after 4 attempts: value "3000000000" is out of range for type integer');
    expect(endedEvaluationError({ state: 'failed', retryCount: 0, output: {} })).toBe(
      'the evaluation failed after 1 attempt: no error message',
    );
  });

  it('fails it when its job was cancelled, completed without it, or is gone', () => {
    expect(endedEvaluationError({ state: 'cancelled', retryCount: 0, output: null })).toContain(
      'was cancelled',
    );
    expect(endedEvaluationError({ state: 'completed', retryCount: 0, output: null })).toContain(
      'ended without finishing it',
    );
    expect(endedEvaluationError(null)).toContain('no longer exists');
  });
});
