import { describe, expect, it } from '@jest/globals';
import { EstimateCache } from './estimate-cache';

describe('EstimateCache', () => {
  it('reads once per key within the TTL, again after it', async () => {
    let now = 0;
    const cache = new EstimateCache(1000, 10, () => now);
    let reads = 0;
    const read = () => Promise.resolve(++reads * 100);
    expect(await cache.get('a', read)).toBe(100);
    now = 999;
    expect(await cache.get('a', read)).toBe(100);
    expect(await cache.get('b', read)).toBe(200);
    now = 2000;
    expect(await cache.get('a', read)).toBe(300);
    expect(reads).toBe(3);
  });

  it('says whether a key has an estimate younger than the TTL', async () => {
    let now = 0;
    const cache = new EstimateCache(1000, 10, () => now);
    expect(cache.has('a')).toBe(false);
    await cache.get('a', () => Promise.resolve(1));
    now = 1000;
    expect(cache.has('a')).toBe(true);
    now = 1001;
    expect(cache.has('a')).toBe(false);
  });

  it('forgets a failed read and keeps at most maxEntries', async () => {
    const cache = new EstimateCache(1000, 2, () => 0);
    await expect(cache.get('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('x', () => Promise.resolve(7))).toBe(7);
    await cache.get('y', () => Promise.resolve(8));
    await cache.get('z', () => Promise.resolve(9));
    // x was the oldest: read again.
    expect(await cache.get('x', () => Promise.resolve(10))).toBe(10);
    expect(await cache.get('z', () => Promise.resolve(11))).toBe(9);
  });
});
