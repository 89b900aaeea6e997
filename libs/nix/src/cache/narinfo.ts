// The narinfo a Nix binary cache serves for a store path, and the fingerprint its signature covers:
// `1;<store path>;<NAR hash, sha256 base-32>;<NAR size>;<references, full paths, comma-separated>`.
import { basename } from 'node:path';
import { toNixBase32Hash } from './nix-base32';
import type { SigningKey } from './signing-key';
import type { StorePathFacts } from './store-path-facts';

export const NAR_CONTENT_TYPE = 'application/x-nix-nar';
export const NARINFO_CONTENT_TYPE = 'text/x-nix-narinfo';

export function narInfoFingerprint(facts: StorePathFacts): string {
  const references = [...facts.references].sort().join(',');
  return `1;${facts.path};${toNixBase32Hash(facts.narHash)};${facts.narSize};${references}`;
}

/** The hash part of a store path (the 32 characters after the store directory). */
export function storePathHash(path: string): string {
  return basename(path).slice(0, 32);
}

/** How the cache serves NARs: zstd-compressed as they stream (.nar.zst), or as they are (.nar). */
export type NarCompression = 'zstd' | 'none';

/** Where the cache serves a path's NAR, relative to the cache's root. */
export function narUrl(path: string, compression: NarCompression = 'zstd'): string {
  return `nar/${storePathHash(path)}.nar${compression === 'zstd' ? '.zst' : ''}`;
}

export function renderNarInfo(facts: StorePathFacts, key?: SigningKey, compression: NarCompression = 'zstd'): string {
  const lines = [
    `StorePath: ${facts.path}`,
    `URL: ${narUrl(facts.path, compression)}`,
    `Compression: ${compression}`,
    `NarHash: ${toNixBase32Hash(facts.narHash)}`,
    `NarSize: ${facts.narSize}`,
    `References: ${[...facts.references].sort().map((r) => basename(r)).join(' ')}`,
  ];
  if (facts.deriver !== undefined) lines.push(`Deriver: ${basename(facts.deriver)}`);
  // The store's own signatures (signing.key_file, `nix store sign`), then the cache key's.
  const sigs = new Set(facts.sigs ?? []);
  if (key) sigs.add(key.sign(narInfoFingerprint(facts)));
  for (const sig of sigs) lines.push(`Sig: ${sig}`);
  if (facts.ca !== undefined) lines.push(`CA: ${facts.ca}`);
  return `${lines.join('\n')}\n`;
}

/** The cache's /nix-cache-info. */
export function renderNixCacheInfo(options: { storeDir: string; priority: number }): string {
  return `StoreDir: ${options.storeDir}\nWantMassQuery: 1\nPriority: ${options.priority}\n`;
}
