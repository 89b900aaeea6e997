// Nix's own base-32: its alphabet (no e, o, t, u) and its byte order, used in store path hashes and
// in the `sha256:` hashes of narinfo files and signature fingerprints.
export const NIX_BASE32_ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';

/** The hash part of a store path: 32 characters of Nix's base-32 alphabet. */
export const STORE_PATH_HASH_PATTERN = /^[0123456789abcdfghijklmnpqrsvwxyz]{32}$/;

export function isStorePathHash(s: string): boolean {
  return STORE_PATH_HASH_PATTERN.test(s);
}

/** Nix's base-32 encoding of `bytes` (least significant 5-bit group of the last byte first). */
export function encodeNixBase32(bytes: Uint8Array): string {
  const length = Math.ceil((bytes.length * 8) / 5);
  let out = '';
  for (let n = length - 1; n >= 0; n--) {
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    const low = (bytes[i] ?? 0) >> j;
    const high = i + 1 < bytes.length ? (bytes[i + 1] ?? 0) << (8 - j) : 0;
    out += NIX_BASE32_ALPHABET[(low | high) & 0x1f];
  }
  return out;
}

/**
 * A hash as Nix writes it in narinfo files and fingerprints, `sha256:<base-32>`, from any form
 * `nix path-info --json` prints: SRI (`sha256-<base64>`), `sha256:<base16>` or `sha256:<base-32>`.
 */
export function toNixBase32Hash(hash: string): string {
  const sri = /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})$/.exec(hash);
  const prefixed = /^([a-z0-9]+):([0-9a-z]+)$/.exec(hash);
  const algo = sri?.[1] ?? prefixed?.[1];
  if (algo !== 'sha256') throw new Error(`not a sha256 hash: ${JSON.stringify(hash)}`);
  const digest = sri?.[2];
  if (digest !== undefined) {
    const bytes = Buffer.from(digest, 'base64');
    if (bytes.length !== 32) throw new Error(`not a sha256 hash: ${JSON.stringify(hash)}`);
    return `sha256:${encodeNixBase32(bytes)}`;
  }
  const body = prefixed?.[2] ?? '';
  if (/^[0-9a-f]{64}$/.test(body)) return `sha256:${encodeNixBase32(Buffer.from(body, 'hex'))}`;
  if (body.length === 52 && [...body].every((c) => NIX_BASE32_ALPHABET.includes(c))) return `sha256:${body}`;
  throw new Error(`not a sha256 hash: ${JSON.stringify(hash)}`);
}
