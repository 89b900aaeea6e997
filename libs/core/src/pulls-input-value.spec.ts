import { describe, expect, it } from '@jest/globals';
import { parsePullsInputValue } from './pulls-input-value';

describe('parsePullsInputValue', () => {
  it("reads githubpulls' OWNER REPO", () => {
    expect(parsePullsInputValue('githubpulls', ' NixOS  nixpkgs ')).toEqual({
      owner: 'NixOS',
      repo: 'nixpkgs',
      origin: null,
    });
  });

  it("reads giteapulls' HOST OWNER REPO [PROTOCOL], https unless told http", () => {
    expect(parsePullsInputValue('giteapulls', 'codeberg.org forgejo forgejo')).toEqual({
      owner: 'forgejo',
      repo: 'forgejo',
      origin: 'https://codeberg.org',
    });
    expect(parsePullsInputValue('giteapulls', 'localhost:3000 alice repo http')).toMatchObject({
      origin: 'http://localhost:3000',
    });
  });

  it('says what the value should be', () => {
    expect(() => parsePullsInputValue('githubpulls', 'NixOS')).toThrow(
      'a githubpulls value is "OWNER REPO": words are missing, got "NixOS"',
    );
    expect(() => parsePullsInputValue('githubpulls', 'a b c')).toThrow(/more than two words/);
    expect(() => parsePullsInputValue('githubpulls', 'a ../b')).toThrow(
      /the repository "..\/b" is not a name/,
    );
    expect(() => parsePullsInputValue('giteapulls', 'https://h o r')).toThrow(/not a host name/);
    expect(() => parsePullsInputValue('giteapulls', 'h o r ftp')).toThrow(/neither https nor http/);
    expect(() => parsePullsInputValue('giteapulls', 'h -o r')).toThrow(/the owner "-o" is not a name/);
  });
});
