// Pure judgements of the queue inspection: is a daemon alive, and what is wrong with a queue.
import type { DaemonInstanceRow, QueueOverviewRow } from '@fc/queue';

/** pg-boss refreshes an instance's heartbeat every heartbeat_seconds; two missed ones mean it is gone. */
export function isDaemonAlive(
  d: Pick<DaemonInstanceRow, 'heartbeatOn' | 'heartbeatSeconds' | 'stoppedOn'>,
  now: Date,
): boolean {
  if (d.stoppedOn !== null) return false;
  return now.getTime() - d.heartbeatOn.getTime() <= 2 * d.heartbeatSeconds * 1000 + 5000;
}

/** A waiting job this old means nobody is taking the queue's work (seconds). */
export const STALE_WAIT_SECONDS = 15 * 60;

/** What an operator should look at in one queue, in words; empty when it is healthy. */
export function queueProblems(
  q: Pick<QueueOverviewRow, 'name' | 'waiting' | 'failed' | 'failedLastDay' | 'oldestWaitingAt'>,
  liveWorkers: number,
  now: Date,
): string[] {
  const problems: string[] = [];
  if (q.waiting > 0 && liveWorkers === 0)
    problems.push('jobs are waiting and no running daemon works this queue');
  if (q.oldestWaitingAt !== null) {
    const age = (now.getTime() - q.oldestWaitingAt.getTime()) / 1000;
    if (age > STALE_WAIT_SECONDS) problems.push(`the oldest waiting job has waited ${formatAge(age)}`);
  }
  if (q.failedLastDay > 0) problems.push(`${q.failedLastDay} job(s) failed in the last 24 h`);
  else if (q.failed > 0) problems.push(`${q.failed} failed job(s) kept`);
  return problems;
}

/** 42 → "42 s", 600 → "10 min", 7200 → "2 h", 200000 → "2 d". */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
