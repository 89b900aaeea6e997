// Fingerprints, signatures and base-32 hashes against values real Nix 2.8 produced: the key pair from
// `nix-store --generate-binary-cache-key test.example-1 sk pk`, the path facts from
// `nix path-info --json`, and the signature from `nix store sign --key-file sk` on that path.
import { describe, expect, it } from '@jest/globals';
import { encodeNixBase32, isStorePathHash, toNixBase32Hash } from './nix-base32';
import { narInfoFingerprint, renderNarInfo } from './narinfo';
import { parseSecretKey, SigningKeyError } from './signing-key';
import type { StorePathFacts } from './store-path-facts';

const SECRET_KEY =
  'test.example-1:KHHSWR/5ul32lCDlGkrNZEfmhSjsneT4jdHF79zBlD5UmOgXgpDD7HJUpyVGHYllHn13Vl3lowKdFNuegTYBPQ==';
const PUBLIC_KEY = 'test.example-1:VJjoF4KQw+xyVKclRh2JZR59d1Zd5aMCnRTbnoE2AT0=';
const NIX_SIGNATURE =
  'test.example-1:bywFyrbnrt100csJy0HL6qJJEtuco7QLHiFWYn7kIFANP90FZxq/Zy0Jc3IN4l8shk25cJ2J+gV32M0hmBMzBw==';

/** The seed of the key above with someone else's public half. */
const MISMATCHED_KEY = `test.example-1:${Buffer.concat([
  Buffer.from(SECRET_KEY.split(':')[1]!, 'base64').subarray(0, 32),
  Buffer.alloc(32, 7),
]).toString('base64')}`;

const facts: StorePathFacts = {
  path: '/nix/store/50iy77iv196ar7q183k45zn3xg7da79d-fc-cache-top',
  narHash: 'sha256-DjzP9fbguYwXmh80o1yys7WzGLZUdBs/4aXhEdIgwXo=',
  narSize: 176,
  references: ['/nix/store/cj4mqyc0bx9bvq0xh5hjr682mvy2gbbq-fc-cache-dep'],
  deriver: '/nix/store/p8zhgjyza9l2x64nqwmcknqszwg89ihm-fc-cache-top.drv',
  ca: undefined,
};

describe('Nix base-32', () => {
  it('renders hashes as `nix hash to-base32` does', () => {
    const base32 = 'sha256:0yn143913qd5w4zinx2lnqcb7ddkn9fa6d0zk8bqrfg0yvswyg0f';
    expect(toNixBase32Hash('sha256-DjzP9fbguYwXmh80o1yys7WzGLZUdBs/4aXhEdIgwXo=')).toBe(base32);
    expect(toNixBase32Hash('sha256:0e3ccff5f6e0b98c179a1f34a35cb2b3b5b318b654741b3fe1a5e111d220c17a')).toBe(base32);
    expect(toNixBase32Hash(base32)).toBe(base32);
    expect(encodeNixBase32(new Uint8Array(0))).toBe('');
  });

  it('rejects what is not a sha256 hash', () => {
    expect(() => toNixBase32Hash('md5-1B2M2Y8AsgTpgAmY7PhCfg==')).toThrow('not a sha256 hash');
    expect(() => toNixBase32Hash('sha256-AAAA')).toThrow('not a sha256 hash');
    expect(() => toNixBase32Hash('sha256:xyz')).toThrow('not a sha256 hash');
  });

  it('recognises store path hashes: 32 characters of the alphabet', () => {
    expect(isStorePathHash('50iy77iv196ar7q183k45zn3xg7da79d')).toBe(true);
    expect(isStorePathHash('50iy77iv196ar7q183k45zn3xg7da79')).toBe(false);
    expect(isStorePathHash('50iy77iv196ar7q183k45zn3xg7da79e')).toBe(false); // no "e" in Nix's alphabet
    expect(isStorePathHash('50IY77IV196AR7Q183K45ZN3XG7DA79D')).toBe(false);
  });
});

describe('signing', () => {
  it('derives the public key nix-store --generate-binary-cache-key wrote', () => {
    const key = parseSecretKey(`${SECRET_KEY}\n`);
    expect(key.name).toBe('test.example-1');
    expect(key.publicKey).toBe(PUBLIC_KEY);
  });

  it('signs the fingerprint exactly as `nix store sign` did', () => {
    expect(narInfoFingerprint(facts)).toBe(
      '1;/nix/store/50iy77iv196ar7q183k45zn3xg7da79d-fc-cache-top;' +
        'sha256:0yn143913qd5w4zinx2lnqcb7ddkn9fa6d0zk8bqrfg0yvswyg0f;176;' +
        '/nix/store/cj4mqyc0bx9bvq0xh5hjr682mvy2gbbq-fc-cache-dep',
    );
    expect(parseSecretKey(SECRET_KEY).sign(narInfoFingerprint(facts))).toBe(NIX_SIGNATURE);
  });

  it.each([
    ['', 'is not a Nix secret key ("<name>:<base64>")'],
    ['no-colon-here', 'is not a Nix secret key ("<name>:<base64>")'],
    [':KHHSWR/5ul32lCDlGkrNZEfmhSjsneT4jdHF79zBlD5UmOgXgpDD7HJUpyVGHYllHn13Vl3lowKdFNuegTYBPQ==', '("<name>:<base64>")'],
    ['k:not base64!', 'the part after the name is not base64'],
    [PUBLIC_KEY, 'it holds 32 bytes, an ed25519 secret key 64 (is this the public key?)'],
    [MISMATCHED_KEY, 'its public half does not match its seed'],
  ])('rejects %j', (text, message) => {
    expect(() => parseSecretKey(text)).toThrow(SigningKeyError);
    expect(() => parseSecretKey(text)).toThrow(message);
  });

  it('never puts the key in its errors', () => {
    for (const bad of [MISMATCHED_KEY, `${SECRET_KEY}!`]) {
      expect(() => parseSecretKey(bad)).toThrow(SigningKeyError);
      try {
        parseSecretKey(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain(bad.split(':')[1]!.slice(0, 16));
      }
    }
  });
});

describe('renderNarInfo', () => {
  it('writes the fields Nix reads, the signature when a key is given, CA when present', () => {
    expect(renderNarInfo(facts, parseSecretKey(SECRET_KEY))).toBe(
      [
        'StorePath: /nix/store/50iy77iv196ar7q183k45zn3xg7da79d-fc-cache-top',
        'URL: nar/50iy77iv196ar7q183k45zn3xg7da79d.nar.zst',
        'Compression: zstd',
        'NarHash: sha256:0yn143913qd5w4zinx2lnqcb7ddkn9fa6d0zk8bqrfg0yvswyg0f',
        'NarSize: 176',
        'References: cj4mqyc0bx9bvq0xh5hjr682mvy2gbbq-fc-cache-dep',
        'Deriver: p8zhgjyza9l2x64nqwmcknqszwg89ihm-fc-cache-top.drv',
        `Sig: ${NIX_SIGNATURE}`,
        '',
      ].join('\n'),
    );
    const unsigned = renderNarInfo({ ...facts, references: [], deriver: undefined, ca: 'text:sha256:1abc' });
    expect(unsigned).toContain('References: \n');
    expect(unsigned).not.toContain('Sig:');
    expect(unsigned).not.toContain('Deriver:');
    expect(unsigned).toContain('CA: text:sha256:1abc\n');
  });

  it("says the uncompressed NAR's URL when asked, and keeps the store's signatures once each", () => {
    const key = parseSecretKey(SECRET_KEY);
    const plain = renderNarInfo({ ...facts, sigs: [NIX_SIGNATURE, 'other-1:c2ln'] }, key, 'none');
    expect(plain).toContain('URL: nar/50iy77iv196ar7q183k45zn3xg7da79d.nar\nCompression: none\n');
    expect(plain.match(/^Sig: .*$/gm)).toEqual([`Sig: ${NIX_SIGNATURE}`, 'Sig: other-1:c2ln']);
  });
});
