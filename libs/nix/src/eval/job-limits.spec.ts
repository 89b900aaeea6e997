import { describe, expect, it } from '@jest/globals';
import { jobLimitProblem, MAX_JOB_NAME_BYTES, recordedJobName } from './job-limits';

describe('jobLimitProblem', () => {
  it('takes names and systems within the limits, in bytes', () => {
    expect(jobLimitProblem({ attr: 'a'.repeat(MAX_JOB_NAME_BYTES), system: 'x86_64-linux' })).toBeUndefined();
    expect(jobLimitProblem({ attr: 'é'.repeat(MAX_JOB_NAME_BYTES / 2 + 1), system: 'x86_64-linux' })).toBe(
      'the job name is 1026 bytes long; FC records job names of at most 1024 bytes',
    );
    expect(jobLimitProblem({ attr: 'a', system: 's'.repeat(300) })).toBe(
      'its system is 300 bytes long; FC records systems of at most 255 bytes',
    );
  });
});

describe('recordedJobName', () => {
  it('keeps a name within the limit, and shortens a longer one to its start and a hash of it', () => {
    expect(recordedJobName('hello')).toBe('hello');
    const long = `${'x'.repeat(300)}-${'y'.repeat(2000)}`;
    const shortened = recordedJobName(long);
    expect(shortened).toMatch(/^x{200}…\([0-9a-f]{16}\)$/);
    expect(recordedJobName(`${long}z`)).not.toBe(shortened);
  });
});
