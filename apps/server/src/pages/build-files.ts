// A build's files as they are, outside the page layout: the full log as raw text (/build/{id}/log; a
// cached build's is its producer's, after one line saying so), a step's log (Hydra's
// /build/{id}/nixlog/{step} and /build/{id}/step/{step}/log), each also at Hydra's …/raw and, its
// last 50 lines, …/tail; and product downloads (Hydra's
// /build/{id}/download/{nr}/{file}) with their Content-Type. Products are served in a CSP sandbox:
// an HTML report from a build cannot run scripts as the dashboard.
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { markPageRequest } from '../http/error-boundary';
import { parseInput } from '../http/validation';
import type { OpenedLog } from '../services/build-log.service';
import type { ProductFileService } from '../services/product-files';
import { logOriginNotice } from '../views/log-origin.view';
import { LastLines } from './last-lines';
import type { Services } from '../services/services';

const buildParam = z.object({ id: z.coerce.number().int().positive() });
/** Hydra's log URLs end in nothing or /raw (the whole log) or /tail (its last lines). */
const logMode = z.enum(['raw', 'tail']).optional();
const logParam = buildParam.extend({ mode: logMode });
const stepParam = logParam.extend({ step: z.coerce.number().int().nonnegative() });
/** Lines in a …/tail answer, as Hydra's. */
const TAIL_LINES = 50;
const downloadParam = buildParam.extend({
  nr: z.coerce.number().int().positive(),
  file: z.array(z.string()).optional(),
});

const PRODUCT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

async function sendText(
  res: Response,
  log: OpenedLog,
  buildId: number,
  mode: z.output<typeof logMode>,
): Promise<void> {
  res.status(200).type('text/plain; charset=utf-8');
  res.set('Cache-Control', 'no-cache');
  if (log.origin) res.write(`${logOriginNotice(buildId, log.origin)}\n\n`);
  if (mode !== 'tail') {
    await pipeline(log.stream, res);
    return;
  }
  const tail = new LastLines(TAIL_LINES);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of log.stream)
    tail.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
  tail.push(decoder.end());
  res.end(tail.text());
}

export function buildFileRoutes(s: Services, products: ProductFileService): Router {
  const router = Router();
  router.get(['/build/:id/log', '/build/:id/log/:mode'], async (req: Request, res: Response) => {
    markPageRequest(res);
    const { id, mode } = parseInput(logParam, req.params, 'path') as z.output<typeof logParam>;
    await sendText(res, await s.logs.open(id), id, mode);
  });
  router.get(
    [
      '/build/:id/nixlog/:step',
      '/build/:id/nixlog/:step/:mode',
      '/build/:id/step/:step/log',
      '/build/:id/step/:step/log/:mode',
    ],
    async (req: Request, res: Response) => {
      markPageRequest(res);
      const { id, step, mode } = parseInput(stepParam, req.params, 'path') as z.output<typeof stepParam>;
      await sendText(res, await s.logs.open(id, step), id, mode);
    },
  );
  const download = async (req: Request, res: Response) => {
    markPageRequest(res);
    const { id, nr, file } = parseInput(downloadParam, req.params, 'path') as z.output<typeof downloadParam>;
    const target = await products.open(id, nr, file ?? []);
    if (target.kind === 'redirect') {
      res.redirect(302, `/build/${id}/download/${target.to}`);
      return;
    }
    const f = target.file;
    res.status(200);
    res.type(extname(f.name) || 'application/octet-stream');
    res.set({
      'Content-Length': String(f.size),
      'Content-Security-Policy': PRODUCT_CSP,
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(f.name)}`,
    });
    await pipeline(f.stream, res);
  };
  router.get('/build/:id/download/:nr', download);
  router.get('/build/:id/download/:nr/*file', download);
  return router;
}
