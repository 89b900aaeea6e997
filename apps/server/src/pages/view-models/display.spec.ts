import { describe, expect, it } from '@jest/globals';
import {
  formatAgo,
  formatBytes,
  formatDuration,
  formatTime,
  pagination,
  paths,
  statusBadge,
} from './display';

describe('page display helpers', () => {
  it('formats times, durations and sizes the same everywhere', () => {
    expect(formatTime(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05 UTC');
    expect(formatTime(null)).toBe('');
    expect(formatDuration(3_400)).toBe('3s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
    expect(formatAgo(new Date(0), new Date(90_000))).toBe('1m ago');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });

  it('pages through with the other parameters kept', () => {
    const p = pagination(
      '/builds',
      { status: 'failed', offset: 50 },
      { limit: 50, offset: 50, total: 120, count: 50 },
    );
    expect(p).toEqual({
      from: 51,
      to: 100,
      total: 120,
      exact: true,
      prev: '/builds?status=failed',
      next: '/builds?status=failed&offset=100',
    });
    expect(pagination('/x', {}, { limit: 10, offset: 0, total: 0, count: 0 })).toMatchObject({
      from: 0,
      prev: null,
      next: null,
    });
  });

  it("labels statuses with Hydra's words and encodes names in links", () => {
    expect(statusBadge('cancelled')).toEqual({
      name: 'cancelled',
      label: 'Cancelled by user',
      tone: 'stopped',
    });
    expect(paths.jobset('a b', 'c/d')).toBe('/jobset/a%20b/c%2Fd');
  });
});
