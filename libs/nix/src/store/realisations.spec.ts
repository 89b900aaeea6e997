import { describe, expect, it } from '@jest/globals';
import { isOutputPlaceholder, parseRealisations } from './realisations';

describe('content-addressed realisations', () => {
  it('tells placeholders from store paths', () => {
    expect(isOutputPlaceholder('/1c9s5p4lkr7sh6d1wra77vja7fcydv1a3mypy4pzgkcz3mspkz51')).toBe(true);
    expect(isOutputPlaceholder('/nix/store/ksdn27avgfn1353lfw0zk76p8xq4nmad-ca-a')).toBe(false);
  });

  it("reads each output's store path from nix realisation info", () => {
    const json = JSON.stringify([
      { dependentRealisations: {}, id: 'sha256:aca9!out', outPath: 'ksdn27avgfn1353lfw0zk76p8xq4nmad-ca-a', signatures: [] },
      { id: 'sha256:aca9!lib', outPath: 'x0dn27avgfn1353lfw0zk76p8xq4nmad-ca-a-lib' },
    ]);
    expect([...parseRealisations(json)]).toEqual([
      ['out', '/nix/store/ksdn27avgfn1353lfw0zk76p8xq4nmad-ca-a'],
      ['lib', '/nix/store/x0dn27avgfn1353lfw0zk76p8xq4nmad-ca-a-lib'],
    ]);
  });
});
