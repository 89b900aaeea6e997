import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseInput, unstorableValues } from './validation';

describe('unstorableValues', () => {
  it('names NUL characters in strings and keys, and integers past PostgreSQL integer', () => {
    expect(
      unstorableValues({
        a: 'x\u0000y',
        b: [1, 2_147_483_648],
        c: { 'k\u0000': 1 },
        d: -2_147_483_649,
        e: 1.5e12,
      }),
    ).toEqual([
      { path: ['a'], message: 'must not contain NUL characters' },
      { path: ['b', 1], message: 'must be between -2147483648 and 2147483647' },
      { path: ['c', 'k\u0000'], message: 'must not contain NUL characters' },
      { path: ['d'], message: 'must be between -2147483648 and 2147483647' },
      { path: ['e'], message: 'must be between -2147483648 and 2147483647' },
    ]);
    expect(unstorableValues({ a: 'ok', b: [2_147_483_647, -2_147_483_648, 0.5], c: null, d: true })).toEqual(
      [],
    );
  });

  it('makes parseInput throw a 400 naming the field', () => {
    expect(() => parseInput(z.object({ q: z.string() }), { q: 'a\u0000' }, 'query')).toThrow(
      'invalid request: query q: must not contain NUL characters',
    );
    expect(() => parseInput(z.object({ n: z.number().int() }), { n: 3_000_000_000 }, 'body')).toThrow(
      'invalid request: n: must be between -2147483648 and 2147483647',
    );
  });
});
