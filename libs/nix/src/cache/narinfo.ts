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

/** Where the cache serves a path's NAR, relative to the cache's root. */
export function narUrl(path: string): string {
  return `nar/${storePathHash(path)}.nar`;
}

export function renderNarInfo(facts: StorePathFacts, key?: SigningKey): string {
  const lines = [
    `StorePath: ${facts.path}`,
    `URL: ${narUrl(facts.path)}`,
    'Compression: none',
    `NarHash: ${toNixBase32Hash(facts.narHash)}`,
    `NarSize: ${facts.narSize}`,
    `References: ${[...facts.references].sort().map((r) => basename(r)).join(' ')}`,
  ];
  if (facts.deriver !== undefined) lines.push(`Deriver: ${basename(facts.deriver)}`);
  if (key) lines.push(`Sig: ${key.sign(narInfoFingerprint(facts))}`);
  if (facts.ca !== undefined) lines.push(`CA: ${facts.ca}`);
  return `${lines.join('\n')}\n`;
}

/** The cache's /nix-cache-info. */
export function renderNixCacheInfo(options: { storeDir: string; priority: number }): string {
  return `StoreDir: ${options.storeDir}\nWantMassQuery: 1\nPriority: ${options.priority}\n`;
}
