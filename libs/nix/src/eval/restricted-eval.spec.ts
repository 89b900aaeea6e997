import { describe, expect, it } from '@jest/globals';
import { parseExperimentalFeatures, restrictedEvalOptions } from './restricted-eval';

describe('restrictedEvalOptions', () => {
  it('turns flakes off for a legacy jobset, keeping the other features, and empties the search path', () => {
    const legacy = { kind: 'legacy', checkout: '/c', file: 'release.nix' } as const;
    expect(restrictedEvalOptions(legacy, ['flakes', 'nix-command', 'ca-derivations'])).toEqual([
      '--option',
      'nix-path',
      '',
      '--option',
      'experimental-features',
      'nix-command ca-derivations',
    ]);
    expect(restrictedEvalOptions(legacy, ['flakes'])).toEqual([
      '--option',
      'nix-path',
      '',
      '--option',
      'experimental-features',
      '',
    ]);
  });

  it('keeps flakes for a flake jobset, in pure mode', () => {
    const flake = { kind: 'flake', flakeRef: 'git+file:///c?rev=1', allowedPaths: ['/c'] } as const;
    expect(restrictedEvalOptions(flake, ['flakes'])).toEqual([
      '--option',
      'nix-path',
      '',
      '--option',
      'pure-eval',
      'true',
    ]);
  });
});

describe('parseExperimentalFeatures', () => {
  it("reads nix show-config's line", () => {
    expect(parseExperimentalFeatures('a = 1\nexperimental-features = flakes nix-command\nz = 2\n')).toEqual([
      'flakes',
      'nix-command',
    ]);
    expect(parseExperimentalFeatures('experimental-features = \n')).toEqual([]);
    expect(parseExperimentalFeatures('')).toEqual([]);
  });
});
