// SIGTERM to the built fc-server while requests are in flight: each is answered whole (with
// `Connection: close`, so no client reuses a connection about to go), new connections are refused at
// once, and the server exits 0.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, startApp, waitForLogRecord, type TestDatabase } from '@fc/testing';

const CLIENTS = 20;
// A name each (a name's failed logins are limited to 10), all of the same length.
const body = (n: number) =>
  JSON.stringify({ username: `nobody-${String(n).padStart(3, '0')}`, password: 'not this one' });

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A socket that has sent a request's headers and half its body, and was told 100 Continue. */
async function requestInFlight(
  port: number,
  n: number,
): Promise<{ socket: Socket; received: () => string; rest: string }> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body(n))}\r\nExpect: 100-continue\r\n\r\n`,
  );
  // The server has parsed the headers and taken the request when it says 100 Continue.
  while (!data.includes('100 Continue')) await new Promise((r) => socket.once('data', r));
  socket.write(body(n).slice(0, 10));
  return { socket, received: () => data, rest: body(n).slice(10) };
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      // With nothing listening, the kernel may pick the port itself as the source and the socket
      // connects to itself (TCP simultaneous open): that is no server either.
      const self = s.localPort === s.remotePort;
      s.destroy();
      resolve(self ? 'ECONNREFUSED' : 'connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('fc-server on SIGTERM', () => {
  it('answers every request in flight, refuses new connections, then exits 0', async () => {
    const port = await freePort();
    const server = startApp('server', [], {
      env: { FC_DATABASE__URL: db.url, FC_SERVER__PORT: String(port), FC_SERVER__SESSION_SECRET: 'x' },
    });
    await waitForLogRecord(server, (r) => r.message === 'listening', 'listening');
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, n) => requestInFlight(port, n)));

    const stopping = waitForLogRecord(server, (r) => r.message === 'stopping', 'stopping');
    server.kill('SIGTERM');
    await stopping;
    expect(await refused(port)).toBe('ECONNREFUSED');

    const closed = clients.map(
      ({ socket }) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const { socket, rest } of clients) socket.write(rest);
    await Promise.all(closed);
    for (const { received } of clients) {
      const final = received().split('\r\n\r\n').slice(1).join('\r\n\r\n');
      const [head, ...rest] = final.split('\r\n\r\n');
      const body = rest.join('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 401 /);
      expect(head).toMatch(/\r\nConnection: close(\r\n|$)/i);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head!)?.[1]);
      expect(Buffer.byteLength(body)).toBe(length);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const result = await server;
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it('answers the next request a client sends on a keep-alive connection that was idle when it began', async () => {
    const port = await freePort();
    const server = startApp('server', [], {
      env: { FC_DATABASE__URL: db.url, FC_SERVER__PORT: String(port), FC_SERVER__SESSION_SECRET: 'x' },
    });
    await waitForLogRecord(server, (r) => r.message === 'listening', 'listening');
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let ended = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => (ended = true));
    socket.on('error', () => (ended = true));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const get = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    socket.write(get);
    while (!/\r\n\r\n[\s\S]*\}/.test(data)) await new Promise((r) => socket.once('data', r));
    expect(data).toMatch(/^HTTP\/1\.1 200 /);
    expect(data).not.toMatch(/\r\nConnection: close/i);
    data = '';

    // The connection is idle, kept alive; the server stops: its listener is closed, then the client
    // sends its next request on the connection, as a client under load does at any moment.
    server.kill('SIGTERM');
    while ((await refused(port)) !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 5));
    expect(ended).toBe(false);
    socket.write(get);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;
    expect(data).toMatch(/^HTTP\/1\.1 200 /);
    expect(data).toMatch(/\r\nConnection: close(\r\n|$)/im);
    expect((await server).exitCode).toBe(0);
  }, 60_000);
});
