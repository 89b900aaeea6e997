// The Nix binary cache (/nix-cache/): any valid path of the local store, as Hydra serves it. Read-only
// and public; narinfo signed when cache.secret_key_file is set.
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { NotFoundError, ValidationError } from '@fc/core';
import type { BinaryCacheMetrics } from '@fc/metrics';
import {
  isStorePathHash,
  queryStorePathFacts,
  renderNarInfo,
  renderNixCacheInfo,
  streamNar,
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
}

export interface NarDownload {
  readonly narSize: number;
  /** Starts `nix-store --dump`; aborting `signal` kills it. */
  open(signal: AbortSignal): Readable;
}

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
    return renderNarInfo(facts, this.options.signingKey);
  }

  async nar(hash: string): Promise<NarDownload> {
    const facts = await this.facts(hash);
    const narBytes = this.options.metrics.narBytes;
    return {
      narSize: facts.narSize,
      open: (signal) => {
        const counted = new PassThrough();
        counted.on('data', (chunk: Buffer) => narBytes.inc(chunk.length));
        // A failing dump destroys `counted` with the error, so the response is cut short, not ended.
        pipeline(streamNar(facts.path, { signal }), counted, () => undefined);
        return counted;
      },
    };
  }

  private async facts(hash: string): Promise<StorePathFacts> {
    if (!isStorePathHash(hash)) {
      throw new ValidationError(`"${hash}" is not a store path hash (32 characters of Nix's base-32)`);
    }
    const path = await this.options.lookup.pathOfHash(hash);
    const facts = path === undefined ? undefined : await queryStorePathFacts(path);
    if (!facts) throw new NotFoundError(`no valid store path with hash ${hash}`);
    return facts;
  }
}
