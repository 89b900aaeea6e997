// The Nix binary cache: /nix-cache/nix-cache-info, /nix-cache/<hash>.narinfo and
// /nix-cache/nar/<hash>.nar. Public and read-only; GET routes answer HEAD too (Express), a NAR's
// HEAD without running nix-store.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { NAR_CONTENT_TYPE, NARINFO_CONTENT_TYPE, STORE_PATH_HASH_PATTERN } from '@fc/nix';
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
    stream: Readable.from([body]),
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
    defineRoute({
      method: 'get',
      path: '/nix-cache/nar/{hash}.nar',
      access: 'public',
      tag: 'binary cache',
      summary: "Nix binary cache: a store path's NAR, uncompressed (HEAD too)",
      params: hashParams,
      responses: {
        200: { description: 'The NAR (nix-store --dump)', contentType: NAR_CONTENT_TYPE, schema: z.string() },
      },
      handle: async ({ params, req, res }) => {
        const nar = await cache.nar(params.hash);
        const headers = { 'Content-Length': String(nar.narSize) };
        if (req.method === 'HEAD') {
          return { status: 200, stream: Readable.from([]), contentType: NAR_CONTENT_TYPE, headers };
        }
        // The client went away (or the response ended): nix-store is killed if still running.
        const disconnected = new AbortController();
        res.on('close', () => disconnected.abort());
        return { status: 200, stream: nar.open(disconnected.signal), contentType: NAR_CONTENT_TYPE, headers };
      },
    }),
  ];
}
