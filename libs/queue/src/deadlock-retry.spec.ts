import { describe, expect, it } from '@jest/globals';
import { DEADLOCK_DETECTED, retryingDeadlocks } from './deadlock-retry';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: DEADLOCK_DETECTED });

describe('retryingDeadlocks', () => {
  it('runs again after each deadlock, and answers what the run that got through answered', async () => {
    let calls = 0;
    const answer = await retryingDeadlocks(
      () => (++calls < 3 ? Promise.reject(deadlock()) : Promise.resolve('done')),
      5,
      1,
    );
    expect(answer).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt, with the deadlock', async () => {
    let calls = 0;
    await expect(retryingDeadlocks(() => (calls++, Promise.reject(deadlock())), 3, 1)).rejects.toThrow(
      'deadlock detected',
    );
    expect(calls).toBe(3);
  });

  it('does not run again after any other error', async () => {
    let calls = 0;
    await expect(
      retryingDeadlocks(() => (calls++, Promise.reject(new Error('syntax'))), 5, 1),
    ).rejects.toThrow('syntax');
    expect(calls).toBe(1);
  });
});
