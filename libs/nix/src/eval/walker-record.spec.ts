import { describe, expect, it } from '@jest/globals';
import { jobFromWalkerRecord, nameOfDrvPath } from './walker-record';

const drv = '/nix/store/0fakqky1wsmzy2kdyv6h3c3x9lfz60jr-python3-foo-1.2.drv';

describe("jobFromWalkerRecord (the built-in walker's compact record)", () => {
  it('takes the name from the drv path, a lone out path as output "out", and defaults without meta', () => {
    expect(nameOfDrvPath(drv)).toBe('python3-foo-1.2');
    expect(jobFromWalkerRecord('a.b', { p: drv, s: 'x86_64-linux', o: '/nix/store/x-foo' })).toEqual({
      attr: 'a.b',
      nixName: 'python3-foo-1.2',
      drvPath: drv,
      system: 'x86_64-linux',
      outputs: { out: '/nix/store/x-foo' },
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

  it("joins licenses and maintainers as Hydra does, reads integers given as strings, keeps an aggregate's constituents", () => {
    const job = jobFromWalkerRecord('agg', {
      p: drv,
      s: 'x86_64-linux',
      o: { out: '/nix/store/x', dev: '/nix/store/x-dev' },
      m: ['desc', 'https://example.org', ['MIT', 'BSD', 3], ['alice@example.org'], '-5', 120, 'soon', true],
      f: ['kvm'],
      a: [true, [{ name: 'x.*' }, { drvPath: '/nix/store/y.drv' }]],
    });
    expect(job).toMatchObject({
      outputs: { out: '/nix/store/x', dev: '/nix/store/x-dev' },
      description: 'desc',
      homepage: 'https://example.org',
      license: 'MIT, BSD',
      maintainers: 'alice@example.org',
      schedulingPriority: -5,
      timeout: 120,
      maxSilent: 3600,
      isChannel: true,
      requiredFeatures: ['kvm'],
      isAggregate: true,
      globConstituents: true,
      constituents: [{ name: 'x.*' }, { drvPath: '/nix/store/y.drv' }],
    });
    expect(jobFromWalkerRecord('x', { p: drv, m: [null, null, [], [], null, null, null, false], o: 'p' }).license).toBeNull();
  });

  it('needs a drv path and outputs', () => {
    expect(() => jobFromWalkerRecord('x', { o: '/nix/store/x' })).toThrow(/no drvPath/);
    expect(() => jobFromWalkerRecord('x', { p: drv })).toThrow(/no outputs/);
  });
});
