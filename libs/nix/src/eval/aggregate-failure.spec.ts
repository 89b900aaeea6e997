import { describe, expect, it } from '@jest/globals';
import { aggregateFailure } from './aggregate-failure';

describe('aggregateFailure', () => {
  it("fails the evaluation with Hydra's message for the first broken aggregate when there are builds", () => {
    const aggregateErrors = new Map([
      ['first', 'a: does not exist'],
      ['second', 'b: does not exist'],
    ]);
    expect(aggregateFailure({ jobCount: 1, aggregateErrors })).toBe(
      'aggregate job ‘first’ failed with the error: a: does not exist',
    );
  });

  it('records the evaluation when nothing else is left to build, or no aggregate is broken', () => {
    expect(aggregateFailure({ jobCount: 0, aggregateErrors: new Map([['agg', 'a: does not exist']]) })).toBeNull();
    expect(aggregateFailure({ jobCount: 1, aggregateErrors: new Map() })).toBeNull();
  });
});
