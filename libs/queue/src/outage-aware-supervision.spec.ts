import { describe, expect, it } from '@jest/globals';
import { HEARTBEAT_TOLERANCE_SECONDS, mayJudgeHeartbeats } from './outage-aware-supervision';

describe('mayJudgeHeartbeats', () => {
  it('waits until the database has answered for two heartbeats', () => {
    expect(HEARTBEAT_TOLERANCE_SECONDS).toBe(20);
    expect(mayJudgeHeartbeats(0, 20)).toBe(false);
    expect(mayJudgeHeartbeats(19_999, 20)).toBe(false);
    expect(mayJudgeHeartbeats(20_000, 20)).toBe(true);
    expect(mayJudgeHeartbeats(Number.POSITIVE_INFINITY, 20)).toBe(true);
  });
});
