import { describe, expect, it } from '@jest/globals';
import { parseSandboxSettings, sandboxVerdict } from './sandbox-settings';

const showConfig = (values: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }])));

const SANDBOXED = {
  sandbox: true,
  'build-users-group': 'nixbld',
  'sandbox-paths': ['/bin', '/usr'],
  'sandbox-fallback': false,
};

describe('sandboxVerdict', () => {
  it('is sandboxed with no problem under the settings FC recommends', () => {
    const v = sandboxVerdict(parseSandboxSettings(showConfig(SANDBOXED)), true);
    expect(v).toEqual({
      sandboxed: true,
      problems: [],
      settings: { sandbox: 'true', buildUsersGroup: 'nixbld', sandboxPaths: ['/bin', '/usr'], sandboxFallback: false },
    });
  });

  it('is not sandboxed with sandbox = false, naming the setting', () => {
    const v = sandboxVerdict(parseSandboxSettings(showConfig({ ...SANDBOXED, sandbox: false })), true);
    expect(v.sandboxed).toBe(false);
    expect(v.problems).toEqual([expect.stringContaining('sandbox = false: builds can read any file')]);
  });

  it('is not sandboxed with sandbox = relaxed, nor as root without build users', () => {
    const relaxed = sandboxVerdict(parseSandboxSettings(showConfig({ ...SANDBOXED, sandbox: 'relaxed' })), true);
    expect(relaxed.sandboxed).toBe(false);
    const rootBuilds = sandboxVerdict(
      parseSandboxSettings(showConfig({ ...SANDBOXED, 'build-users-group': '' })),
      true,
    );
    expect(rootBuilds).toMatchObject({ sandboxed: false, problems: [expect.stringContaining('builds run as root')] });
    // A non-root Nix builds as its own user: no build users needed.
    expect(
      sandboxVerdict(parseSandboxSettings(showConfig({ ...SANDBOXED, 'build-users-group': '' })), false).sandboxed,
    ).toBe(true);
  });

  it('stays sandboxed but warns when Nix may fall back to no sandbox', () => {
    const v = sandboxVerdict(parseSandboxSettings(showConfig({ ...SANDBOXED, 'sandbox-fallback': true })), true);
    expect(v.sandboxed).toBe(true);
    expect(v.problems).toEqual([expect.stringContaining('sandbox-fallback = true')]);
  });
});
