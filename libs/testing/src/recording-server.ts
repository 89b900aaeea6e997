// A local HTTP receiver for specs of what FC sends out (webhooks, commit statuses to a forge's API):
// it records every request, body included, and answers each path with the statuses a spec queued
// for it, in turn, else with the default status.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The path with its query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON; its text when it is not JSON; undefined when empty. */
  readonly body: unknown;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request, in order (a spec may empty it: `requests.length = 0`). */
  readonly requests: RecordedRequest[];
  /** The statuses to answer a path (with its query) with, in turn; then the default. */
  readonly answers: Map<string, number[]>;
  /** The requests to one path (with its query). */
  to(path: string): RecordedRequest[];
  close(): Promise<void>;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startRecordingServer(
  options: { readonly status?: number } = {},
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const answers = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      });
      const status = answers.get(path)?.shift() ?? options.status ?? 201;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { ok: true } : { message: `answered ${status}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answers,
    to: (path) => requests.filter((r) => r.path === path),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
