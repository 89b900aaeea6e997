import { describe, expect, it } from '@jest/globals';
import { checkLoginPassword, hashPassword, verifyPassword } from './password';

/** A verifier that records the hashes it was asked to check, and checks them for real. */
function countingVerifier() {
  const checked: string[] = [];
  const verifier = (hash: string, password: string) => {
    checked.push(hash);
    return verifyPassword(hash, password);
  };
  return { checked, verifier };
}

describe('checkLoginPassword', () => {
  it('verifies once against the stored hash', async () => {
    const stored = await hashPassword('correct horse');
    const { checked, verifier } = countingVerifier();
    expect(await checkLoginPassword(stored, 'correct horse', verifier)).toBe(true);
    expect(await checkLoginPassword(stored, 'wrong', verifier)).toBe(false);
    expect(checked).toEqual([stored, stored]);
  });

  it('verifies once against an argon2 dummy hash when there is no user or no password, and refuses', async () => {
    const { checked, verifier } = countingVerifier();
    expect(await checkLoginPassword(undefined, 'anything', verifier)).toBe(false);
    expect(await checkLoginPassword(null, 'anything', verifier)).toBe(false);
    expect(checked).toHaveLength(2);
    expect(checked[0]).toMatch(/^\$argon2id\$/);
    expect(checked[1]).toBe(checked[0]);
  });
});
