import { describe, expect, it } from '@jest/globals';
import { MIN_SECRET_LENGTH, SECRET_MARKER, secretRedactor, secretsOf } from './secret-redaction';

describe('secretsOf', () => {
  it("takes secret values, each line of a multi-line one, and each URL's credentials", () => {
    expect(
      secretsOf({
        secretValues: ['hunter22', 'line-one\nline-two', 'abc'],
        urls: [
          'https://deploy:p%40ssw0rd@git.example.com/r.git',
          'https://ghp_token123@github.com/o/r',
          'file:///srv/repo',
          'ssh://git@host/x',
        ],
      }).sort(),
    ).toEqual(
      [
        'hunter22',
        'line-one\nline-two',
        'line-one',
        'line-two',
        'deploy:p%40ssw0rd',
        'p%40ssw0rd',
        'deploy:p@ssw0rd',
        'p@ssw0rd',
        'ghp_token123',
      ].sort(),
    );
  });

  it(`ignores values shorter than ${MIN_SECRET_LENGTH} characters and orders the longest first`, () => {
    expect(secretsOf({ secretValues: ['abc', 'abcd', 'abcdef'], urls: [] })).toEqual(['abcdef', 'abcd']);
  });
});

describe('secretRedactor', () => {
  const redact = secretRedactor(
    secretsOf({ secretValues: ['s3cr3t-value'], urls: ['https://u:pw-1234@h/r'] }),
  );

  it('hides every occurrence, alone or inside other text, and any URL user-info', () => {
    expect(redact('token s3cr3t-value, again s3cr3t-value; pw-1234 at http://x:y@other/z')).toBe(
      `token ${SECRET_MARKER}, again ${SECRET_MARKER}; ${SECRET_MARKER} at http://***@other/z`,
    );
  });

  it('leaves text without secrets as it is', () => {
    expect(redact('building /nix/store/abc-hello')).toBe('building /nix/store/abc-hello');
  });
});
