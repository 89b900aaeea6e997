import { describe, expect, it } from '@jest/globals';
import { REACHABLE_AT_START, afterProbe, answeringFor } from './reachability';
import { retryDelayMs, untilDatabaseAnswers } from './until-database-answers';
import { isConnectionError } from '../pg-error-codes';

describe('database reachability', () => {
  it('counts from the first answer after a failed probe; a daemon starts reachable', () => {
    expect(answeringFor(REACHABLE_AT_START, 1000)).toBe(Number.POSITIVE_INFINITY);
    const down = afterProbe(REACHABLE_AT_START, false, 1000);
    expect(answeringFor(down, 2000)).toBe(0);
    const back = afterProbe(down, true, 5000);
    expect(answeringFor(back, 5000)).toBe(0);
    const still = afterProbe(back, true, 6000);
    expect(answeringFor(still, 25_000)).toBe(20_000);
    expect(answeringFor(afterProbe(still, false, 26_000), 26_000)).toBe(0);
  });
});

describe('untilDatabaseAnswers', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('backs off from 0.5 s to at most 5 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('retries connection errors until the write succeeds', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await untilDatabaseAnswers(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(refused) : Promise.resolve('written');
      },
      { onRetry: (_e, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('written');
    expect(retried).toEqual([1, 2]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const bad = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(
      untilDatabaseAnswers(() => {
        calls++;
        return Promise.reject(bad);
      }),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
  });

  it('stops retrying when its signal aborts, with the last error', async () => {
    const giveUp = new AbortController();
    let calls = 0;
    const attempt = untilDatabaseAnswers(
      () => {
        calls++;
        return Promise.reject(refused);
      },
      { signal: giveUp.signal },
    );
    giveUp.abort();
    await expect(attempt).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});

describe('isConnectionError', () => {
  it("knows a lost connection, in pg's errors and in the plain objects pg-boss's workers report", () => {
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(
      isConnectionError({ message: 'Connection terminated unexpectedly (Queue: q, Worker: w)', queue: 'q' }),
    ).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionError('Connection terminated')).toBe(false);
  });
});
