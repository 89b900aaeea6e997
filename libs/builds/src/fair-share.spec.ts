import { describe, expect, it } from '@jest/globals';
import { BUMPED_MIN_PRIORITY, buildJobPriority } from '@fc/queue';
import { fairFetchTurns, jobsetShares, jobsetsInFairOrder } from './fair-share';

const js = (jobsetId: number, shares: number, usedSeconds: number, firstQueuedBuildId = jobsetId) => ({
  jobsetId,
  shares,
  usedSeconds,
  firstQueuedBuildId,
});

describe('jobsetsInFairOrder', () => {
  it('puts the jobset that used least for its shares first', () => {
    expect(jobsetsInFairOrder([js(1, 100, 30), js(2, 300, 60), js(3, 100, 10)])).toEqual([3, 2, 1]);
  });

  it('breaks a tie by the older queued build, so an idle queue keeps queue order', () => {
    expect(jobsetsInFairOrder([js(1, 100, 0, 50), js(2, 300, 0, 7)])).toEqual([2, 1]);
    expect(jobsetsInFairOrder([js(1, 100, 10, 50), js(2, 100, 10, 7)])).toEqual([2, 1]);
  });

  it('gives two jobsets with shares 1:3 builds in that ratio when each build takes as long', () => {
    const used = new Map([
      [1, 0],
      [2, 0],
    ]);
    const picks: number[] = [];
    for (let i = 0; i < 40; i++) {
      const next = jobsetsInFairOrder([js(1, 100, used.get(1)!, 1), js(2, 300, used.get(2)!, 2)])[0]!;
      picks.push(next);
      used.set(next, used.get(next)! + 1);
    }
    expect(picks.filter((p) => p === 1)).toHaveLength(10);
  });
});

describe('jobsetShares', () => {
  it("adds the time each jobset's claimed builds have held a worker to its finished time", () => {
    const finished = [
      { jobsetId: 1, shares: 100, finishedSeconds: 30, firstQueuedBuildId: 5 },
      { jobsetId: 2, shares: 300, finishedSeconds: 0, firstQueuedBuildId: 9 },
      { jobsetId: 3, shares: 100, finishedSeconds: 7, firstQueuedBuildId: 12 },
    ];
    const claimed = new Map([
      ['jobset-2', 4],
      ['jobset-3', 1.5],
      ['jobset-99', 100],
    ]);
    expect(jobsetShares(finished, claimed)).toEqual([
      js(1, 100, 30, 5),
      js(2, 300, 4, 9),
      js(3, 100, 8.5, 12),
    ]);
  });

  it('orders claims made one after another 1:3 from the first, each claim counting as it is made', () => {
    // Claims serialized: each sees the ones before it (a second each), none finished yet.
    const claimed = new Map<string, number>();
    const picks: number[] = [];
    for (let i = 0; i < 16; i++) {
      const finished = [
        { jobsetId: 1, shares: 100, finishedSeconds: 0, firstQueuedBuildId: 1 },
        { jobsetId: 2, shares: 300, finishedSeconds: 0, firstQueuedBuildId: 2 },
      ];
      const next = jobsetsInFairOrder(jobsetShares(finished, claimed))[0]!;
      picks.push(next);
      const group = `jobset-${next}`;
      claimed.set(group, (claimed.get(group) ?? 0) + 1);
    }
    expect(picks.filter((p) => p === 1)).toHaveLength(4);
  });
});

describe('fairFetchTurns', () => {
  it('tries bumped builds first, then each jobset alone in fair order, then anything', () => {
    expect(fairFetchTurns([js(1, 100, 30), js(2, 100, 10)])).toEqual([
      { minPriority: BUMPED_MIN_PRIORITY },
      { group: 'jobset-2' },
      { group: 'jobset-1' },
      {},
    ]);
  });

  it('counts every bumped build as bumped and no unbumped one, whatever its schedulingPriority', () => {
    expect(buildJobPriority(1, -10_000_000)).toBeGreaterThanOrEqual(BUMPED_MIN_PRIORITY);
    expect(buildJobPriority(0, 10_000_000)).toBeLessThan(BUMPED_MIN_PRIORITY);
  });
});
