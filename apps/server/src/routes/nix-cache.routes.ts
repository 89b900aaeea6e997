// The Nix binary cache: /nix-cache/nix-cache-info, /nix-cache/<hash>.narinfo,
// /nix-cache/nar/<hash>.nar.zst (what narinfo names), /nix-cache/nar/<hash>.nar and
// /nix-cache/log/<drv>. Public and read-only; GET routes answer HEAD too (Express), a NAR's HEAD
// without running nix-store.
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  NAR_CONTENT_TYPE,
  NARINFO_CONTENT_TYPE,
  STORE_PATH_HASH_PATTERN,
  type NarCompression,
} from '@fc/nix';
import { defineRoute, type ApiRoute, type Reply } from '../http/api-route';
import type { BinaryCacheService } from '../services/binary-cache.service';

const hashParams = z.object({
  hash: z
    .string()
    .regex(STORE_PATH_HASH_PATTERN, "must be a store path hash: 32 characters of Nix's base-32 alphabet"),
});

function text(body: string, contentType: string): Reply {
  return {
    status: 200,
    text: body,
    contentType,
    headers: { 'Content-Length': String(Buffer.byteLength(body)) },
  };
}

export function nixCacheRoutes(cache: BinaryCacheService): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/nix-cache/nix-cache-info',
      access: 'public',
      tag: 'binary cache',
      summary: 'Nix binary cache: StoreDir, WantMassQuery, Priority',
      responses: {
        200: { description: 'The cache info', contentType: 'text/x-nix-cache-info', schema: z.string() },
      },
      handle: () => Promise.resolve(text(cache.cacheInfo(), 'text/x-nix-cache-info')),
    }),
    defineRoute({
      method: 'get',
      path: '/nix-cache/{hash}.narinfo',
      access: 'public',
      tag: 'binary cache',
      summary: 'Nix binary cache: the narinfo of a valid store path (HEAD too), signed when a key is set',
      params: hashParams,
      responses: {
        200: { description: 'The narinfo', contentType: NARINFO_CONTENT_TYPE, schema: z.string() },
      },
      handle: async ({ params }) => text(await cache.narInfo(params.hash), NARINFO_CONTENT_TYPE),
    }),
    narRoute('zstd', cache),
    narRoute('none', cache),
    defineRoute({
      method: 'get',
      path: '/nix-cache/log/{drv}',
      access: 'public',
      tag: 'binary cache',
      summary: 'Nix binary cache: the build log of a derivation FC built (nix log --store <cache> <drv>)',
      params: z.object({ drv: z.string().describe("the derivation's file name, <hash>-<name>.drv") }),
      responses: {
        200: { description: "The latest build's log", contentType: 'text/plain', schema: z.string() },
      },
      handle: async ({ params }) => ({
        status: 200,
        stream: await cache.log(params.drv),
        contentType: 'text/plain; charset=utf-8',
      }),
    }),
  ];
}

/** GET /nix-cache/nar/<hash>.nar.zst (zstd as it streams: no length known ahead) or .nar. */
function narRoute(compression: NarCompression, cache: BinaryCacheService): ApiRoute {
  const zstd = compression === 'zstd';
  const contentType = zstd ? 'application/zstd' : NAR_CONTENT_TYPE;
  return defineRoute({
    method: 'get',
    path: zstd ? '/nix-cache/nar/{hash}.nar.zst' : '/nix-cache/nar/{hash}.nar',
    access: 'public',
    tag: 'binary cache',
    summary: zstd
      ? "Nix binary cache: a store path's NAR, zstd-compressed as it streams (what narinfo names; HEAD too)"
      : "Nix binary cache: a store path's NAR, uncompressed (HEAD too)",
    params: hashParams,
    responses: {
      200: { description: 'The NAR (nix-store --dump)', contentType, schema: z.string() },
    },
    handle: async ({ params, req, res }) => {
      const nar = await cache.nar(params.hash, compression);
      const headers: Record<string, string> = zstd ? {} : { 'Content-Length': String(nar.narSize) };
      if (req.method === 'HEAD') return { status: 200, stream: Readable.from([]), contentType, headers };
      // The client went away (or the response ended): nix-store is killed if still running.
      const disconnected = new AbortController();
      res.on('close', () => disconnected.abort());
      return { status: 200, stream: nar.open(disconnected.signal), contentType, headers };
    },
  });
}
