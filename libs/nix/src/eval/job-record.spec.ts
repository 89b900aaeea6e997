import { describe, expect, it } from '@jest/globals';
import { jobFromRecord, JobRecordError } from './job-record';

describe('jobFromRecord', () => {
  it("fills Hydra's defaults for what a record leaves out", () => {
    expect(
      jobFromRecord('a', { drvPath: '/nix/store/a.drv', nixName: 'a', system: 'x86_64-linux', outputs: { out: '/nix/store/a' } }),
    ).toEqual({
      attr: 'a',
      nixName: 'a',
      drvPath: '/nix/store/a.drv',
      system: 'x86_64-linux',
      outputs: { out: '/nix/store/a' },
      description: null,
      homepage: null,
      license: null,
      maintainers: null,
      schedulingPriority: 100,
      timeout: 36000,
      maxSilent: 3600,
      isChannel: false,
      requiredFeatures: [],
    });
  });

  it("clamps Nix's 64-bit integers to the range of the 32-bit columns", () => {
    const record = (meta: Record<string, number>) =>
      jobFromRecord('a', { drvPath: '/nix/store/a.drv', outputs: { out: '/nix/store/a' }, ...meta });
    expect(record({ timeout: 3_000_000_000, maxSilent: 2 ** 40, schedulingPriority: -(2 ** 40) })).toMatchObject({
      timeout: 2_147_483_647,
      maxSilent: 2_147_483_647,
      schedulingPriority: -2_147_483_647,
    });
    expect(record({ timeout: -5, maxSilent: -1, schedulingPriority: 2 ** 33 })).toMatchObject({
      timeout: 0,
      maxSilent: 0,
      schedulingPriority: 2_147_483_647,
    });
  });

  it('needs a drv path and outputs', () => {
    expect(() => jobFromRecord('a', { outputs: {} })).toThrow(JobRecordError);
    expect(() => jobFromRecord('a', { drvPath: '/nix/store/a.drv' })).toThrow(/no outputs/);
  });
});
