import { describe, expect, it } from '@jest/globals';
import { buildFinishedEvents, hydraEvent, stepLogUrl } from './hydra-events';

describe("Hydra's event payloads", () => {
  it('joins the fields with tabs', () => {
    expect(hydraEvent.evalStarted('17.1', 3)).toEqual({ channel: 'eval_started', payload: '17.1\t3' });
    expect(hydraEvent.evalAdded('17.1', 3, 17)).toEqual({ channel: 'eval_added', payload: '17.1\t3\t17' });
    expect(hydraEvent.evalCached('17.1', 3, 12).payload).toBe('17.1\t3\t12');
    expect(hydraEvent.evalFailed('17.1', 3).payload).toBe('17.1\t3');
    expect(hydraEvent.buildQueued(42)).toEqual({ channel: 'build_queued', payload: '42' });
    expect(hydraEvent.cachedBuildQueued(17, 42).payload).toBe('17\t42');
    expect(hydraEvent.cachedBuildFinished(17, 42).payload).toBe('17\t42');
    expect(hydraEvent.buildsAdded(40)).toEqual({ channel: 'builds_added', payload: '40' });
    expect(hydraEvent.buildStarted(42)).toEqual({ channel: 'build_started', payload: '42' });
  });

  it('gives a step without a log "-"', () => {
    expect(hydraEvent.stepFinished(42, 2, '/var/log/x').payload).toBe('42\t2\t/var/log/x');
    expect(hydraEvent.stepFinished(42, 2, null).payload).toBe('42\t2\t-');
  });

  it('names a stored step log by its URL on fc-server, absolute under server.base_url', () => {
    expect(stepLogUrl(42, 2)).toBe('/build/42/nixlog/2');
    expect(stepLogUrl(42, 2, 'https://ci.example.org')).toBe('https://ci.example.org/build/42/nixlog/2');
    expect(stepLogUrl(42, 2, 'https://ci.example.org/fc/')).toBe(
      'https://ci.example.org/fc/build/42/nixlog/2',
    );
  });

  it('splits a long build_finished over notifications that each start with the build id', () => {
    expect(buildFinishedEvents(7)).toEqual([{ channel: 'build_finished', payload: '7' }]);
    expect(buildFinishedEvents(7, [8, 9])[0]!.payload).toBe('7\t8\t9');
    const dependents = Array.from({ length: 2000 }, (_, i) => 100_000 + i);
    const events = buildFinishedEvents(7, dependents);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) {
      expect(e.payload.length).toBeLessThanOrEqual(7000);
      expect(e.payload.split('\t')[0]).toBe('7');
    }
    expect(events.flatMap((e) => e.payload.split('\t').slice(1).map(Number))).toEqual(dependents);
  });
});
