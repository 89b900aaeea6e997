// Nix binary cache signing keys: the secret key file written by `nix-store --generate-binary-cache-key`
// is `<name>:<base64 of 64 bytes>` (libsodium's ed25519 secret key: the 32-byte seed, then the
// public key). Signatures are `<name>:<base64 of the 64-byte ed25519 signature>`.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A key file that cannot be used. The message never contains the key. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export interface SigningKey {
  /** The key's name, e.g. `ci.example.org-1`. */
  readonly name: string;
  /** The public key as `trusted-public-keys` wants it: `<name>:<base64 of 32 bytes>`. */
  readonly publicKey: string;
  /** `<name>:<base64 signature>` of `message` (a narinfo fingerprint). */
  sign(message: string): string;
}

// DER of a PKCS#8 ed25519 private key up to its 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function parseSecretKey(text: string): SigningKey {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0) throw new SigningKeyError('is not a Nix secret key ("<name>:<base64>")');
  const name = trimmed.slice(0, colon);
  const encoded = trimmed.slice(colon + 1);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new SigningKeyError('is not a Nix secret key: the part after the name is not base64');
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== 64) {
    throw new SigningKeyError(
      `is not a Nix secret key: it holds ${bytes.length} bytes, an ed25519 secret key 64` +
        (bytes.length === 32 ? ' (is this the public key?)' : ''),
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(0, 32)]),
      format: 'der',
      type: 'pkcs8',
    });
  } catch {
    throw new SigningKeyError('is not a usable ed25519 secret key');
  }
  const publicDer = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const publicRaw = publicDer.subarray(publicDer.length - 32);
  if (!publicRaw.equals(bytes.subarray(32))) {
    throw new SigningKeyError('is not a Nix secret key: its public half does not match its seed');
  }
  return {
    name,
    publicKey: `${name}:${publicRaw.toString('base64')}`,
    sign: (message) => `${name}:${sign(null, Buffer.from(message, 'utf8'), key).toString('base64')}`,
  };
}

/** Reads and parses a secret key file; every failure is a SigningKeyError without the key. */
export async function readSecretKeyFile(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SigningKeyError(`cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  try {
    return parseSecretKey(text);
  } catch (e) {
    throw e instanceof SigningKeyError ? new SigningKeyError(`${path} ${e.message}`) : e;
  }
}
