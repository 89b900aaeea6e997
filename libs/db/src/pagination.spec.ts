import { describe, expect, it } from '@jest/globals';
import { cappedCount } from './pagination';

describe('cappedCount', () => {
  it('is exact up to the cap and capped past it', () => {
    expect(cappedCount(0, 1000)).toEqual({ count: 0, capped: false });
    expect(cappedCount(1000, 1000)).toEqual({ count: 1000, capped: false });
    expect(cappedCount(1001, 1000)).toEqual({ count: 1000, capped: true });
  });
});
