import { describe, expect, it } from '@jest/globals';
import { parseDryRunBuilds } from './derivations-to-build';

describe('parseDryRunBuilds', () => {
  it('lists the derivations to build, not the paths to fetch', () => {
    const stderr = [
      'these 2 derivations will be built:',
      '  /nix/store/aaaa-dep.drv',
      '  /nix/store/bbbb-top.drv',
      'these 1 paths will be fetched (0.01 MiB download, 0.05 MiB unpacked):',
      '  /nix/store/cccc-fetched',
      '',
    ].join('\n');
    expect(parseDryRunBuilds(stderr)).toEqual(['/nix/store/aaaa-dep.drv', '/nix/store/bbbb-top.drv']);
  });

  it('reads one derivation, and nothing when all is valid', () => {
    expect(parseDryRunBuilds('this derivation will be built:\n  /nix/store/dddd-x.drv\n')).toEqual([
      '/nix/store/dddd-x.drv',
    ]);
    expect(parseDryRunBuilds('')).toEqual([]);
  });
});
