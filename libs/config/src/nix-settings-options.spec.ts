// The NixOS module's settings options (nix/settings-options.nix) and the configuration schema cannot
// drift: the committed file must be exactly what the schema and config/fc.toml render to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { configKeys, descriptionsFromReference, renderNixSettingsOptions } from './nix-settings-options';

const root = new URL('../../../', import.meta.url).pathname;
const reference = readFileSync(`${root}config/fc.toml`, 'utf8');
const committed = readFileSync(`${root}nix/settings-options.nix`, 'utf8');

/** section.key -> the option's text, from a rendered or committed file. */
function optionsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const m of text.matchAll(
    /^ {2}([a-z_]+) = \{$|^ {4}([a-z_]+) = lib\.mkOption \{\n([\s\S]*?)\n {4}\};$/gm,
  )) {
    if (m[1]) section = m[1];
    else out.set(`${section}.${m[2]}`, m[3]!);
  }
  return out;
}

describe('nix/settings-options.nix', () => {
  it('is what the configuration schema and config/fc.toml render to (run `npm run nix:options` when not)', () => {
    const fresh = renderNixSettingsOptions(reference);
    if (fresh === committed) return;
    const want = optionsOf(fresh);
    const have = optionsOf(committed);
    const problems = [
      ...[...want.keys()].filter((k) => !have.has(k)).map((k) => `${k}: missing from the module`),
      ...[...have.keys()].filter((k) => !want.has(k)).map((k) => `${k}: no longer a configuration key`),
      ...[...want.keys()]
        .filter((k) => have.has(k) && have.get(k) !== want.get(k))
        .map((k) => `${k}: type, default or description changed`),
    ];
    throw new Error(
      'nix/settings-options.nix is stale: run `npm run nix:options` and commit nix/settings-options.nix.\n' +
        (problems.length ? problems.join('\n') : 'its header or layout differs'),
    );
  });

  it('gives every configuration key a description from config/fc.toml', () => {
    const descriptions = descriptionsFromReference(reference);
    const undocumented = configKeys()
      .map((k) => `${k.section}.${k.key}`)
      .filter((k) => !descriptions.get(k));
    expect(undocumented.map((k) => `${k}: write a comment line above it in config/fc.toml`)).toEqual([]);
  });
});
