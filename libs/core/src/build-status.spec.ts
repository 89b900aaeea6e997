import { describe, expect, it } from '@jest/globals';
import {
  BuildStatus,
  UnfinishedStatus,
  buildStatusCodeList,
  buildStatusName,
  isUnfinishedStatusName,
  stepStatusName,
} from './build-status';

describe('build status names', () => {
  it('names an unfinished build by whether it started, a finished one by its code', () => {
    expect(buildStatusName(false, null, null)).toBe(UnfinishedStatus.Queued);
    expect(buildStatusName(false, null, new Date())).toBe(UnfinishedStatus.Running);
    expect(buildStatusName(true, BuildStatus.CachedFailure, new Date())).toBe('cached-failure');
    expect(() => buildStatusName(true, 5, null)).toThrow('unknown build status code 5');
  });

  it('names a step: running while busy, queued without a status, else its code', () => {
    expect(stepStatusName(true, null)).toBe('running');
    expect(stepStatusName(false, null)).toBe('queued');
    expect(stepStatusName(false, BuildStatus.Failed)).toBe('failed');
  });

  it('tells the unfinished names from the others', () => {
    expect(['queued', 'running', 'succeeded', 'bogus'].map(isUnfinishedStatusName)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('lists every code with its name', () => {
    expect(buildStatusCodeList()).toBe(
      '0 succeeded, 1 failed, 2 dependency-failed, 3 aborted, 4 cancelled, 6 failed-with-output, 7 timed-out, ' +
        '8 cached-failure, 9 unsupported, 10 log-limit-exceeded, 11 output-limit-exceeded, 12 non-deterministic',
    );
  });
});
