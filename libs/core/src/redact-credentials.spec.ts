import { describe, expect, it } from '@jest/globals';
import { redactCredentials } from './redact-credentials';

describe('redactCredentials', () => {
  it('replaces the user-info of every URL in the text', () => {
    expect(
      redactCredentials(
        "fatal: unable to access 'https://alice:t0ken@git.example.com/r.git/': and ssh://bob@host:22/x",
      ),
    ).toBe("fatal: unable to access 'https://***@git.example.com/r.git/': and ssh://***@host:22/x");
  });

  it('leaves URLs without credentials, and e-mail addresses outside URLs, alone', () => {
    const text = 'fetched https://git.example.com/r.git for alice@example.com (git+file:///srv/repo)';
    expect(redactCredentials(text)).toBe(text);
  });

  it('redacts a token with URL-encoded characters and a scheme in capitals', () => {
    expect(redactCredentials('HTTPS://user:p%40ss%3Aword@h/x')).toBe('HTTPS://***@h/x');
  });
});

describe('redactCredentials, passwords with "@"', () => {
  it('takes the user-info up to the last "@" before the host', () => {
    expect(redactCredentials('http://deploy:p@ss@git.example.com/r.git and mail bob@example.com')).toBe(
      'http://***@git.example.com/r.git and mail bob@example.com',
    );
  });
});

describe('redactCredentials, scp-like repositories', () => {
  it('redacts a user:password before user@host:path, and leaves a plain user alone', () => {
    expect(redactCredentials('user:t0ken@git.example.com:a/b.git')).toBe('***@git.example.com:a/b.git');
    expect(redactCredentials("cloning 'deploy:t0ken@host:repo' failed")).toBe(
      "cloning '***@host:repo' failed",
    );
    expect(redactCredentials('git@github.com:acme/app.git')).toBe('git@github.com:acme/app.git');
    expect(redactCredentials('at release.nix:3:5: bob@example.com')).toBe(
      'at release.nix:3:5: bob@example.com',
    );
  });
});
