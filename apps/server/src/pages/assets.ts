// The dashboard's static files, served by FC itself: the CSS and chart libraries from node_modules
// and FC's own stylesheet and scripts from apps/server/assets. Each URL carries a hash of the file,
// so browsers may cache it for a year; a changed file gets a new URL.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Router } from 'express';

interface AssetSource {
  readonly name: string;
  readonly file: string;
  readonly contentType: string;
}

export interface Asset {
  readonly url: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/** The URL of each asset by name (pico.css, chart.js, fc.css, fc.js), for the layout. */
export type AssetUrls = Readonly<Record<string, string>>;

function sources(assetsDir: string): AssetSource[] {
  const require = createRequire(import.meta.url);
  const chartDist = join(require.resolve('chart.js'), '..');
  return [
    {
      name: 'pico.css',
      file: require.resolve('@picocss/pico/css/pico.min.css'),
      contentType: 'text/css; charset=utf-8',
    },
    {
      name: 'chart.js',
      file: join(chartDist, 'chart.umd.min.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
    { name: 'fc.css', file: join(assetsDir, 'fc.css'), contentType: 'text/css; charset=utf-8' },
    { name: 'fc.js', file: join(assetsDir, 'fc.js'), contentType: 'text/javascript; charset=utf-8' },
    {
      name: 'job-chart.js',
      file: join(assetsDir, 'job-chart.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
    {
      name: 'build-live.js',
      file: join(assetsDir, 'build-live.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
  ];
}

export function loadAssets(assetsDir: string): { urls: AssetUrls; router: Router } {
  const byPath = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const s of sources(assetsDir)) {
    const body = readFileSync(s.file);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const path = `/assets/${hash}/${s.name}`;
    byPath.set(path, { url: path, body, contentType: s.contentType });
    urls[s.name] = path;
  }
  const router = Router();
  router.get('/assets/:hash/:name', (req, res, next) => {
    const asset = byPath.get(req.path);
    if (!asset) {
      next();
      return;
    }
    res.set('Cache-Control', 'public, max-age=31536000, immutable');
    res.type(asset.contentType).send(asset.body);
  });
  return { urls, router };
}
