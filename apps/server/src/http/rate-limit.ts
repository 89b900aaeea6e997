// Per-client-IP token bucket: `rps` tokens a second, at most `burst` saved; an empty bucket is a 429.
import type { RequestHandler } from 'express';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface RateLimitOptions {
  readonly rps: number;
  readonly burst: number;
  readonly now?: () => number;
}

/** Buckets idle this long are full again and are dropped. */
function idleMs(options: RateLimitOptions): number {
  return Math.ceil((options.burst / options.rps) * 1000) + 1000;
}

export function rateLimit(options: RateLimitOptions): RequestHandler & { stop(): void } {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const sweep = setInterval(() => {
    const cutoff = now() - idleMs(options);
    for (const [ip, b] of buckets) if (b.updatedAt < cutoff) buckets.delete(ip);
  }, 60_000);
  sweep.unref();

  const handler: RequestHandler = (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const t = now();
    const bucket = buckets.get(ip) ?? { tokens: options.burst, updatedAt: t };
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.updatedAt) / 1000) * options.rps);
    bucket.updatedAt = t;
    buckets.set(ip, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.ceil((1 - bucket.tokens) / options.rps);
      res.setHeader('Retry-After', String(retryAfter));
      res.status(429).json({
        error: {
          code: 'rate_limited',
          message: `too many requests: at most ${options.rps} per second (burst ${options.burst})`,
        },
      });
      return;
    }
    bucket.tokens -= 1;
    next();
  };
  return Object.assign(handler, { stop: () => clearInterval(sweep) });
}
