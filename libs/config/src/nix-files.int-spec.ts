// The Nix files, checked with the Nix here (no nixpkgs): every .nix file of the repository parses, and
// the NixOS module's settings options, evaluated by Nix, default to exactly the schema's defaults.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { configSchema } from './config-schema';

const root = new URL('../../../', import.meta.url).pathname;

/** Just enough of nixpkgs' lib for settings-options.nix: an option evaluates to its default. */
const STUB_LIB = `{
  mkOption = o: o.default;
  types = {
    bool = "bool"; str = "str"; nonEmptyStr = "str"; number = "number"; int = "int";
    numbers = { positive = "number"; };
    ints = { unsigned = "int"; positive = "int"; between = lo: hi: "int"; };
    enum = values: "enum"; listOf = t: "list"; nullOr = t: "nullOr";
  };
}`;

describe('the Nix files', () => {
  it('every .nix file parses (nix-instantiate --parse)', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.nix'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(files).toEqual(
      expect.arrayContaining(['flake.nix', 'nix/module.nix', 'nix/settings-options.nix']),
    );
    const bad: string[] = [];
    for (const file of files) {
      try {
        execFileSync('nix-instantiate', ['--parse', file], {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      } catch (e) {
        bad.push(`${file}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("settings-options.nix's defaults, as Nix evaluates them, are the schema's, key by key", () => {
    const json = execFileSync(
      'nix-instantiate',
      ['--eval', '--strict', '--json', '-E', `import ./nix/settings-options.nix { lib = ${STUB_LIB}; }`],
      { cwd: root, encoding: 'utf8' },
    );
    const fromNix = JSON.parse(json) as Record<string, Record<string, unknown>>;
    const schema = configSchema.parse({}) as Record<string, Record<string, unknown>>;
    const expected: Record<string, Record<string, unknown>> = {};
    for (const [section, keys] of Object.entries(schema)) {
      expected[section] = Object.fromEntries(Object.keys(keys).map((k) => [k, keys[k] ?? null]));
    }
    // Keys without a default are absent from the parsed schema; Nix has them as null.
    for (const [section, keys] of Object.entries(fromNix)) {
      for (const [key, value] of Object.entries(keys)) {
        if (value === null && !(key in (expected[section] ?? {}))) expected[section]![key] = null;
      }
    }
    expect(fromNix).toEqual(expected);
  });
});
