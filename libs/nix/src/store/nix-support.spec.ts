import { describe, expect, it } from '@jest/globals';
import { normalisePath, parseBuildProducts, parseMetrics, parseReleaseName, MAX_METRIC_NAME_BYTES } from './nix-support';

describe('parseBuildProducts', () => {
  it('reads type, subtype, a quoted path with spaces, and a default path', () => {
    const text = [
      'doc readme "/nix/store/abc-x/some text.txt"',
      'file binary-dist /nix/store/abc-x/bin/tool',
      'doc manual /nix/store/abc-x/share/doc index.html',
      '',
    ].join('\n');
    expect(parseBuildProducts(text)).toEqual([
      { type: 'doc', subtype: 'readme', path: '/nix/store/abc-x/some text.txt', defaultPath: undefined },
      { type: 'file', subtype: 'binary-dist', path: '/nix/store/abc-x/bin/tool', defaultPath: undefined },
      { type: 'doc', subtype: 'manual', path: '/nix/store/abc-x/share/doc', defaultPath: 'index.html' },
    ]);
  });

  it('skips malformed lines and relative paths, and normalises paths', () => {
    expect(parseBuildProducts('nonsense\nfile x relative/path\nfile x /nix/store/a/./b/../c\n')).toEqual([
      { type: 'file', subtype: 'x', path: '/nix/store/a/c', defaultPath: undefined },
    ]);
  });

  it('normalisePath collapses //, . and ..', () => {
    expect(normalisePath('//nix/store//a/./b/..')).toBe('/nix/store/a');
  });
});

describe('parseMetrics', () => {
  it('reads name, value and an optional unit; the last line for a name wins', () => {
    expect(parseMetrics('lineCoverage 18 %\nmaxResident 27 KiB\ncount 3\ncount 4\n')).toEqual([
      { name: 'lineCoverage', value: 18, unit: '%' },
      { name: 'maxResident', value: 27, unit: 'KiB' },
      { name: 'count', value: 4, unit: undefined },
    ]);
  });

  it('skips lines without a numeric value', () => {
    expect(parseMetrics('bad x\nlonely\n\n ratio 0.5\n')).toEqual([{ name: 'ratio', value: 0.5, unit: undefined }]);
  });
});

describe('parseReleaseName', () => {
  it('is the first non-empty line, trimmed', () => {
    expect(parseReleaseName('\n  foo-1.0  \nbar\n')).toBe('foo-1.0');
    expect(parseReleaseName('\n\n')).toBeUndefined();
  });
});

describe('what a build may not make FC store', () => {
  it('skips lines holding a NUL character, and metric names past MAX_METRIC_NAME_BYTES', () => {
    expect(parseMetrics(`ok 1 s\nnul\u0000 2\n${'m'.repeat(MAX_METRIC_NAME_BYTES + 1)} 3\n`)).toEqual([
      { name: 'ok', value: 1, unit: 's' },
    ]);
    expect(parseBuildProducts('file doc /nix/store/x-a/a\u0000b\nfile doc /nix/store/x-a/c\n')).toEqual([
      { type: 'file', subtype: 'doc', path: '/nix/store/x-a/c', defaultPath: undefined },
    ]);
    expect(parseReleaseName('rel\u00001\n')).toBeUndefined();
  });
});
