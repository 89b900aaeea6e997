// User passwords: argon2id hashes (@node-rs/argon2 defaults: 19 MiB, 2 passes, 1 lane).
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a malformed stored hash alike. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a login's password with one argon2 verification whether or not there is a hash to check it
 * against: an unknown user name (or a user without a password) is verified against a dummy hash and
 * refused, so the answer takes as long as a wrong password and does not tell which names exist.
 */
export async function checkLoginPassword(
  storedHash: string | null | undefined,
  password: string,
  verifier: (storedHash: string, password: string) => Promise<boolean> = verifyPassword,
): Promise<boolean> {
  if (storedHash) return verifier(storedHash, password);
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  await verifier(await dummyHash, password);
  return false;
}
