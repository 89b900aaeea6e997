import { describe, expect, it } from '@jest/globals';
import { compareBuildLists, type ComparedBuild } from './evaluation-comparison';

let nextId = 1;
function b(job: string, status: number | 'queued', system = 'x86_64-linux'): ComparedBuild {
  return {
    id: nextId++,
    job,
    system,
    finished: status !== 'queued',
    buildStatus: status === 'queued' ? null : status,
  };
}
const jobs = (list: readonly { job: string }[]) => list.map((x) => x.job);

describe("Hydra's evaluation comparison", () => {
  it('groups each build against the same job and system of the previous evaluation', () => {
    const previous = [
      b('fixed', 1),
      b('broken', 0),
      b('same-ok', 0),
      b('same-bad', 1),
      b('gone', 0),
      b('wait', 0),
    ];
    const current = [
      b('fixed', 0),
      b('broken', 1),
      b('same-ok', 0),
      b('same-bad', 2),
      b('added', 0),
      b('wait', 'queued'),
      b('stopped', 4),
    ];
    const c = compareBuildLists(current, previous);
    expect(jobs(c.nowSucceed)).toEqual(['fixed']);
    expect(jobs(c.nowFail)).toEqual(['broken']);
    expect(jobs(c.stillSucceed)).toEqual(['same-ok']);
    expect(jobs(c.stillFail)).toEqual(['same-bad']);
    expect(jobs(c.new)).toEqual(['added']);
    expect(c.removed).toEqual([{ job: 'gone', system: 'x86_64-linux' }]);
    expect(jobs(c.unfinished)).toEqual(['wait']);
    expect(jobs(c.aborted)).toEqual(['stopped']);
    expect([c.totalFailed, c.totalAborted, c.totalQueued]).toEqual([2, 1, 1]);
  });

  it('tells systems apart, and lists trailing removed jobs', () => {
    const c = compareBuildLists([b('a', 0, 'aarch64-linux')], [b('a', 0, 'x86_64-linux'), b('z', 0)]);
    expect(jobs(c.new)).toEqual(['a']);
    expect(c.removed).toEqual([
      { job: 'a', system: 'x86_64-linux' },
      { job: 'z', system: 'x86_64-linux' },
    ]);
  });

  it('calls everything new without a previous evaluation', () => {
    const c = compareBuildLists([b('a', 0), b('b', 1)], []);
    expect(jobs(c.new)).toEqual(['a', 'b']);
    expect(c.totalFailed).toBe(1);
  });
});
