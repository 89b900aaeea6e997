import { describe, expect, it } from '@jest/globals';
import { formatAge, isDaemonAlive, queueProblems } from './queue-health';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('isDaemonAlive', () => {
  it('is alive within two heartbeats, gone after them or once stopped', () => {
    expect(isDaemonAlive({ heartbeatOn: ago(50), heartbeatSeconds: 30, stoppedOn: null }, now)).toBe(true);
    expect(isDaemonAlive({ heartbeatOn: ago(90), heartbeatSeconds: 30, stoppedOn: null }, now)).toBe(false);
    expect(isDaemonAlive({ heartbeatOn: ago(1), heartbeatSeconds: 30, stoppedOn: ago(1) }, now)).toBe(false);
  });
});

describe('queueProblems', () => {
  const healthy = {
    name: 'build-derivation',
    waiting: 0,
    failed: 0,
    failedLastDay: 0,
    oldestWaitingAt: null,
  };

  it('says nothing of a healthy queue', () => {
    expect(queueProblems(healthy, 1, now)).toEqual([]);
  });

  it('names waiting work nobody takes, an old waiting job, and failures', () => {
    expect(
      queueProblems(
        { ...healthy, waiting: 3, oldestWaitingAt: ago(3600), failed: 2, failedLastDay: 2 },
        0,
        now,
      ),
    ).toEqual([
      'jobs are waiting and no running daemon works this queue',
      'the oldest waiting job has waited 1 h',
      '2 job(s) failed in the last 24 h',
    ]);
    expect(queueProblems({ ...healthy, failed: 4 }, 1, now)).toEqual(['4 failed job(s) kept']);
  });
});

describe('formatAge', () => {
  it('uses the largest unit that fits', () => {
    expect([formatAge(42), formatAge(600), formatAge(7200), formatAge(200_000)]).toEqual([
      '42 s',
      '10 min',
      '2 h',
      '2 d',
    ]);
  });
});
