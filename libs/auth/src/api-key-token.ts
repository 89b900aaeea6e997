// API keys: a random token shown once; only its SHA-256 hash is stored, and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'fc_';
/** How many leading characters of a key are kept in clear, to tell keys apart in listings. */
const DISPLAY_PREFIX_LENGTH = 10;

export interface NewApiKeyToken {
  /** The key itself: shown once, never stored. */
  readonly token: string;
  readonly hash: Buffer;
  readonly prefix: string;
}

export function generateApiKeyToken(): NewApiKeyToken {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashApiKeyToken(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function hashApiKeyToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time equality of two secrets of any length (each side is hashed first). */
export function secretsEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Constant-time comparison of a stored key hash with the hash of a presented token. */
export function apiKeyHashMatches(storedHash: Buffer, token: string): boolean {
  const presented = hashApiKeyToken(token);
  return storedHash.length === presented.length && timingSafeEqual(storedHash, presented);
}
