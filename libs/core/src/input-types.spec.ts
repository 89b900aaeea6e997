import { describe, expect, it } from '@jest/globals';
import { parseGitInputValue } from './input-types';

const REV = '7f60df502b96fd54bbfa64dd94b56d936a407701';

describe("parseGitInputValue (Hydra's URL [BRANCH|REV] [DEEP])", () => {
  it('reads a URL alone, with a branch, with a revision, and deep', () => {
    expect(parseGitInputValue('https://h/r.git')).toEqual({
      url: 'https://h/r.git',
      branch: null,
      rev: null,
      deep: false,
    });
    expect(parseGitInputValue('https://h/r.git main')).toMatchObject({ branch: 'main', rev: null });
    expect(parseGitInputValue(`file:///r ${REV}`)).toMatchObject({ branch: null, rev: REV });
    expect(parseGitInputValue('file:///r master 1')).toMatchObject({ branch: 'master', deep: true });
    expect(parseGitInputValue('file:///r master depth=1')).toMatchObject({ deep: false });
  });

  it("takes FC's separate branch when the value names none", () => {
    expect(parseGitInputValue('file:///r', 'staging')).toMatchObject({ branch: 'staging' });
    expect(parseGitInputValue('file:///r main', 'staging')).toMatchObject({ branch: 'main' });
  });

  it('refuses an empty value, extra words and leading dashes', () => {
    expect(() => parseGitInputValue('  ')).toThrow(/empty/);
    expect(() => parseGitInputValue('u b 1 extra')).toThrow(/URL \[BRANCH\|REV\] \[deep\]/);
    expect(() => parseGitInputValue('--upload-pack=x')).toThrow(/must not start with "-"/);
  });
});
