import { describe, expect, it } from '@jest/globals';
import { parseDependencyFailureSignal } from './running-dependents';

describe('parseDependencyFailureSignal', () => {
  it('reads what signalRunningDependents sends', () => {
    const signal = { failedIn: 7, drvPath: '/nix/store/x-a.drv', status: 1, buildIds: [8, 9] };
    expect(parseDependencyFailureSignal(JSON.stringify(signal))).toEqual(signal);
  });

  it('is undefined for anything else', () => {
    for (const payload of [
      undefined,
      '',
      '12',
      'not json',
      '{"failedIn":7}',
      '{"failedIn":"7","drvPath":"x","status":1,"buildIds":[]}',
    ]) {
      expect(parseDependencyFailureSignal(payload)).toBeUndefined();
    }
  });
});
