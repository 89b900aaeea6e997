// The Nix binary cache (/nix-cache/): any valid path of the local store, as Hydra serves it, its NARs
// zstd-compressed as they stream (or as they are), and the build logs of derivations FC built.
// Read-only and public; narinfo signed when cache.secret_key_file is set. Path facts come from Nix's
// database (StorePathLookup), not from a process per request.
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { createZstdCompress } from 'node:zlib';
import { NotFoundError, ValidationError } from '@fc/core';
import type { BinaryCacheMetrics } from '@fc/metrics';
import {
  isStorePathHash,
  renderNarInfo,
  renderNixCacheInfo,
  streamNar,
  type NarCompression,
  type SigningKey,
  type StorePathFacts,
  type StorePathLookup,
} from '@fc/nix';

export interface BinaryCacheOptions {
  readonly lookup: StorePathLookup;
  readonly metrics: BinaryCacheMetrics;
  /** Signs every narinfo when present. */
  readonly signingKey: SigningKey | undefined;
  readonly storeDir: string;
  /** Substituters are tried in increasing priority; cache.nixos.org has 40. */
  readonly priority: number;
  /** The stored build log of a derivation (the build service's). */
  readonly logOfDerivation: (drvPath: string) => Promise<Readable>;
}

export interface NarDownload {
  /** The uncompressed NAR's size (the .nar's Content-Length). */
  readonly narSize: number;
  /** Starts `nix-store --dump`; aborting `signal` kills it. */
  open(signal: AbortSignal): Readable;
}

/** A derivation's file name in the store: `<hash>-<name>.drv`. */
const DRV_NAME = /^[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+\.drv$/;

export class BinaryCacheService {
  constructor(private readonly options: BinaryCacheOptions) {}

  cacheInfo(): string {
    return renderNixCacheInfo({ storeDir: this.options.storeDir, priority: this.options.priority });
  }

  async narInfo(hash: string): Promise<string> {
    const facts = await this.facts(hash).catch((e: unknown) => {
      if (e instanceof NotFoundError) this.options.metrics.narinfoRequests.inc({ result: 'miss' });
      throw e;
    });
    this.options.metrics.narinfoRequests.inc({ result: 'hit' });
    return renderNarInfo(facts, this.options.signingKey, 'zstd');
  }

  async nar(hash: string, compression: NarCompression): Promise<NarDownload> {
    const facts = await this.facts(hash);
    const narBytes = this.options.metrics.narBytes;
    return {
      narSize: facts.narSize,
      open: (signal) => {
        const counted = new PassThrough();
        counted.on('data', (chunk: Buffer) => narBytes.inc(chunk.length));
        // A failing dump destroys `counted` with the error, so the response is cut short, not ended.
        const dump = streamNar(facts.path, { signal });
        if (compression === 'zstd') pipeline(dump, createZstdCompress(), counted, () => undefined);
        else pipeline(dump, counted, () => undefined);
        return counted;
      },
    };
  }

  /** `GET /nix-cache/log/<hash>-<name>.drv`: the build log `nix log --store <cache>` asks for. */
  async log(drvName: string): Promise<Readable> {
    if (!DRV_NAME.test(drvName)) {
      throw new ValidationError(`"${drvName}" is not a derivation's file name (<hash>-<name>.drv)`);
    }
    return this.options.logOfDerivation(`${this.options.storeDir}/${drvName}`);
  }

  private async facts(hash: string): Promise<StorePathFacts> {
    if (!isStorePathHash(hash)) {
      throw new ValidationError(`"${hash}" is not a store path hash (32 characters of Nix's base-32)`);
    }
    const facts = await this.options.lookup.factsOfHash(hash);
    if (!facts) throw new NotFoundError(`no valid store path with hash ${hash}`);
    return facts;
  }
}
