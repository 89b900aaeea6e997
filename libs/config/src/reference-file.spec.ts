// config/fc.toml documents every key: it must parse, hold no unknown key, and name every key we have.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'smol-toml';
import { configSchema, loadConfig } from './index';

const reference = new URL('../../../config/fc.toml', import.meta.url).pathname;

describe('config/fc.toml', () => {
  it('loads cleanly and equals the compiled defaults', () => {
    const fromFile = loadConfig({ cwd: '/nonexistent', env: { FC_CONFIG_FILE: reference } });
    const defaults = loadConfig({ cwd: '/nonexistent', env: {} });
    expect(fromFile).toEqual(defaults);
  });

  it('mentions every key of every section', () => {
    const text = readFileSync(reference, 'utf8');
    const parsed = parse(text) as Record<string, Record<string, unknown>>;
    for (const [section, schema] of Object.entries(configSchema.shape)) {
      expect(parsed[section]).toBeDefined();
      const inner = (schema as { unwrap(): { shape?: Record<string, unknown> } }).unwrap();
      for (const key of Object.keys(inner.shape ?? {})) {
        const mentioned = new RegExp(`^#?\\s*${key}\\s*=`, 'm');
        expect({ key: `${section}.${key}`, mentioned: mentioned.test(text) }).toEqual({
          key: `${section}.${key}`,
          mentioned: true,
        });
      }
    }
  });
});
