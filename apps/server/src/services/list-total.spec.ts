import { describe, expect, it } from '@jest/globals';
import { estimatedTotal, listTotal, totalOfLastPage } from './list-total';

describe('totalOfLastPage', () => {
  it('is the offset plus what a last page shows', () => {
    expect(totalOfLastPage({ limit: 50, offset: 0 }, 7, false)).toBe(7);
    expect(totalOfLastPage({ limit: 50, offset: 0 }, 0, false)).toBe(0);
    expect(totalOfLastPage({ limit: 50, offset: 100 }, 3, false)).toBe(103);
  });

  it('is unknown when more follows, past the end, or after a cursor', () => {
    expect(totalOfLastPage({ limit: 50, offset: 0 }, 50, true)).toBeUndefined();
    expect(totalOfLastPage({ limit: 50, offset: 500 }, 0, false)).toBeUndefined();
    expect(totalOfLastPage({ limit: 50, offset: 0, cursor: 99 }, 3, false)).toBeUndefined();
  });
});

describe('estimatedTotal', () => {
  it('is the estimate, but more than the cap and at least what the pages show', () => {
    expect(estimatedTotal(1000, { limit: 50, offset: 0 }, 50, true, 123456.4)).toBe(123456);
    expect(estimatedTotal(1000, { limit: 50, offset: 0 }, 50, true, 200)).toBe(1001);
    expect(estimatedTotal(1000, { limit: 50, offset: 5000 }, 50, true, 10)).toBe(5051);
  });
});

describe('listTotal', () => {
  const sources = (count: number, estimate: number, counted?: { count: number; capped: boolean }) => {
    const calls: string[] = [];
    return {
      calls,
      cap: 1000,
      counted,
      countUpTo: (cap: number) => {
        calls.push(`count ${cap}`);
        return Promise.resolve(count > cap ? { count: cap, capped: true } : { count, capped: false });
      },
      estimate: () => {
        calls.push('estimate');
        return Promise.resolve(estimate);
      },
    };
  };

  it('counts nothing for a last page', async () => {
    const s = sources(7, 0);
    expect(await listTotal({ limit: 50, offset: 0 }, 7, false, s)).toEqual({ total: 7, exact: true });
    expect(s.calls).toEqual([]);
  });

  it('counts up to the cap when more follows', async () => {
    const s = sources(120, 0);
    expect(await listTotal({ limit: 50, offset: 0 }, 50, true, s)).toEqual({ total: 120, exact: true });
    expect(s.calls).toEqual(['count 1000']);
  });

  it('takes the count made with the page', async () => {
    const s = sources(0, 0, { count: 321, capped: false });
    expect(await listTotal({ limit: 50, offset: 0 }, 50, true, s)).toEqual({ total: 321, exact: true });
    expect(s.calls).toEqual([]);
  });

  it('estimates past the cap', async () => {
    const s = sources(5000, 4800);
    expect(await listTotal({ limit: 50, offset: 0, cursor: 9 }, 50, true, s)).toEqual({
      total: 4800,
      exact: false,
    });
    expect(s.calls).toEqual(['count 1000', 'estimate']);
  });
});
