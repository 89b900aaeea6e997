import { describe, expect, it } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import { RefreshedValue } from './refreshed-value';

const logger = createSilentLogger();

describe('RefreshedValue', () => {
  it('waits for the first read only, then answers from memory and refreshes when old', async () => {
    let reads = 0;
    const v = new RefreshedValue('n', () => Promise.resolve(++reads), 0, logger);
    expect((await v.get()).value).toBe(1);
    // Older than maxAgeMs (0): the current value now, a refresh behind it.
    expect((await v.get()).value).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect((await v.get()).value).toBe(2);
  });

  it('does not keep a read begun before invalidate()', async () => {
    let release: (n: number) => void = () => undefined;
    let reads = 0;
    const v = new RefreshedValue(
      'n',
      () => {
        reads++;
        return reads === 1 ? new Promise<number>((r) => (release = r)) : Promise.resolve(100 + reads);
      },
      60_000,
      logger,
    );
    const first = v.get();
    v.invalidate();
    // A new read, not the one in flight.
    expect((await v.get()).value).toBe(102);
    release(1);
    expect((await first).value).toBe(1);
    expect((await v.get()).value).toBe(102);
  });
});
