import { describe, expect, it } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import { RefreshedValues } from './refreshed-values';

const logger = createSilentLogger();

describe('RefreshedValues', () => {
  it('reads each key once while it is young, and forgets keys by prefix', async () => {
    const reads: string[] = [];
    const values = new RefreshedValues<string>('v', 60_000, 10, logger);
    const read = (key: string) => () => {
      reads.push(key);
      return Promise.resolve(`${key}#${reads.length}`);
    };
    expect(await values.get('1:a', read('1:a'))).toBe('1:a#1');
    expect(await values.get('1:a', read('1:a'))).toBe('1:a#1');
    expect(await values.get('2:a', read('2:a'))).toBe('2:a#2');
    values.invalidate('1:');
    expect(await values.get('1:a', read('1:a'))).toBe('1:a#3');
    expect(await values.get('2:a', read('2:a'))).toBe('2:a#2');
  });

  it('keeps at most maxKeys, dropping the least recently read', async () => {
    let n = 0;
    const values = new RefreshedValues<number>('v', 60_000, 2, logger);
    const read = () => Promise.resolve(++n);
    expect(await values.get('a', read)).toBe(1);
    expect(await values.get('b', read)).toBe(2);
    expect(await values.get('a', read)).toBe(1);
    expect(await values.get('c', read)).toBe(3);
    // b was the least recently read: read again; a stayed.
    expect(await values.get('a', read)).toBe(1);
    expect(await values.get('b', read)).toBe(4);
  });
});
