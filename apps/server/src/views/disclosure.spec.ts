import { describe, expect, it } from '@jest/globals';
import { disclosureFor, shownInputRevisions, shownInputValue, shownText } from './disclosure';

const anonymous = disclosureFor(undefined);
const reader = disclosureFor({ kind: 'api-key', roles: ['read-only'], userId: null, apiKeyId: 1, name: 'r' });
const editor = disclosureFor({
  kind: 'session',
  roles: ['create-projects'],
  userId: 1,
  apiKeyId: null,
  name: 'e',
});
const admin = disclosureFor({
  kind: 'config-key',
  roles: ['admin'],
  userId: null,
  apiKeyId: null,
  name: 'a',
});

describe('disclosure', () => {
  it('shows credentials to those who may edit projects only', () => {
    expect([anonymous, reader, editor, admin].map((d) => d.credentials)).toEqual([false, false, true, true]);
  });

  it('redacts the user-info of URLs for the others', () => {
    const url = 'http://deploy:ghp_abc@git.example.com/r.git';
    expect(shownText(url, reader)).toBe('http://***@git.example.com/r.git');
    expect(shownText(url, editor)).toBe(url);
    expect(shownText(null, reader)).toBeNull();
  });

  it('hides the value of a secret input from the others, and redacts URLs in the rest', () => {
    expect(shownInputValue({ value: 's3cret', secret: true }, reader)).toBeNull();
    expect(shownInputValue({ value: 's3cret', secret: true }, editor)).toBe('s3cret');
    expect(shownInputValue({ value: 'https://u:t@h/x', secret: false }, anonymous)).toBe('https://***@h/x');
  });

  it("hides secret inputs' values in an evaluation's revisions, whether marked then or now", () => {
    const revisions = {
      repository: { uri: 'https://u:t@h/r', rev: 'abc' },
      token: { type: 'string', value: 'old-evaluation-value' },
      key: { type: 'string', secret: true, sha256: 'ff' },
      deploy: { type: 'git', uri: 'https://h/private', rev: 'def', secret: true },
      flag: { type: 'boolean', value: 'true' },
    };
    expect(shownInputRevisions(revisions, ['token'], anonymous)).toEqual({
      repository: { uri: 'https://***@h/r', rev: 'abc' },
      token: { type: 'string', secret: true },
      // Not even the hash of a secret value: a short secret's sha256 is found by trying values.
      key: { type: 'string', secret: true },
      deploy: { type: 'git', rev: 'def', secret: true },
      flag: { type: 'boolean', value: 'true' },
    });
    expect(shownInputRevisions(revisions, ['token'], admin)).toBe(revisions);
  });
});
