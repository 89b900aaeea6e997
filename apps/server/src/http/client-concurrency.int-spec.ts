// The binary cache's per-client bound, over real HTTP: a client's requests past `active` wait, past
// `active + queued` are answered 429 with Retry-After at once, and another client is served meanwhile.
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { clientConcurrency } from './client-concurrency';

let server: Server;
let port: number;
let inHandler = 0;
let open: () => void = () => undefined;
let gate = new Promise<void>((resolve) => (open = resolve));

beforeAll(async () => {
  const app = express();
  app.use(clientConcurrency({ active: 2, queued: 3 }));
  app.get('/held', (_req, res) => {
    inHandler += 1;
    void gate.then(() => res.end('done'));
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function get(from: string): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/held', localAddress: from, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('clientConcurrency', () => {
  it('runs 2 of a client at once, queues 3, refuses the rest with 429; another client is not held up', async () => {
    const first = Array.from({ length: 5 }, () => get('127.0.0.1'));
    await until(() => inHandler === 2);
    // Past 2 running and 3 waiting: answered at once, while the others are held.
    const refused = await Promise.all([get('127.0.0.1'), get('127.0.0.1')]);
    expect(refused.map((r) => [r.status, r.retryAfter])).toEqual([
      [429, '1'],
      [429, '1'],
    ]);
    expect(JSON.parse(refused[0].body)).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address has its own slots.
    const other = get('127.0.0.2');
    await until(() => inHandler === 3);
    open();
    expect((await other).status).toBe(200);
    const served = await Promise.all(first);
    expect(served.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(inHandler).toBe(6);
    // Every slot was given back: the next ones run at once.
    gate = Promise.resolve();
    expect(
      (await Promise.all([get('127.0.0.1'), get('127.0.0.1'), get('127.0.0.1')])).map((r) => r.status),
    ).toEqual([200, 200, 200]);
  });

  it('with everyone, counts all clients as one: a second address waits, past the queue a 429', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    const app = express();
    app.use(clientConcurrency({ active: 1, queued: 1, everyone: true }));
    app.get('/held', (_req, res) => {
      running += 1;
      void held.then(() => res.end('done'));
    });
    const shared = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => shared.once('listening', () => resolve()));
    const sharedPort = (shared.address() as AddressInfo).port;
    const call = (from: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: sharedPort, path: '/held', localAddress: from, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      const a = call('127.0.0.1');
      await until(() => running === 1);
      const b = call('127.0.0.2');
      const c = await call('127.0.0.3');
      expect(c).toBe(429);
      expect(running).toBe(1);
      release();
      expect([await a, await b]).toEqual([200, 200]);
    } finally {
      shared.closeAllConnections();
      await new Promise<void>((resolve) => shared.close(() => resolve()));
    }
  });
});
