import { describe, expect, it } from '@jest/globals';
import { minimumRunnerPool, runnerPoolSize } from './runner-pool-size';

describe('runnerPoolSize', () => {
  it('keeps a configured pool that is large enough', () => {
    expect(runnerPoolSize(20, 3)).toBe(20);
  });

  it('raises a pool too small for the worker slots to two connections per slot and four more', () => {
    expect(minimumRunnerPool(3)).toBe(10);
    expect(runnerPoolSize(4, 3)).toBe(10);
    expect(runnerPoolSize(1, 1)).toBe(6);
  });
});
