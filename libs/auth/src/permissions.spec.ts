import { describe, expect, it } from '@jest/globals';
import { Permission, rolesGrant } from './permissions';
import { apiKeyHashMatches, generateApiKeyToken, secretsEqual } from './api-key-token';

describe('roles', () => {
  it('admin grants everything, read-only and custom roles nothing', () => {
    for (const p of Object.values(Permission)) {
      expect(rolesGrant(['admin'], p)).toBe(true);
      expect(rolesGrant(['read-only'], p)).toBe(false);
      expect(rolesGrant(['release-manager'], p)).toBe(false);
    }
  });
  it('each Hydra role grants only its own permission', () => {
    expect(rolesGrant(['cancel-build'], Permission.CancelBuild)).toBe(true);
    expect(rolesGrant(['cancel-build'], Permission.RestartJobs)).toBe(false);
    expect(rolesGrant(['eval-jobset', 'bump-to-front'], Permission.BumpToFront)).toBe(true);
    expect(rolesGrant(['create-projects'], Permission.Admin)).toBe(false);
  });
});

describe('api key tokens', () => {
  it('matches only its own hash', () => {
    const a = generateApiKeyToken();
    const b = generateApiKeyToken();
    expect(a.token).toMatch(/^fc_[A-Za-z0-9_-]{43}$/);
    expect(a.hash).toHaveLength(32);
    expect(apiKeyHashMatches(a.hash, a.token)).toBe(true);
    expect(apiKeyHashMatches(a.hash, b.token)).toBe(false);
    expect(secretsEqual('x', 'x')).toBe(true);
    expect(secretsEqual('x', 'xy')).toBe(false);
  });
});
