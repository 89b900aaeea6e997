// A TCP proxy a spec puts between FC's daemons and PostgreSQL, then cuts and restores: a database
// outage for those daemons alone (PostgreSQL itself serves every engineer's specs on the machine, so
// it is never stopped). Cut, every connection through the proxy is closed and every new one is closed
// as soon as it is accepted, as when PostgreSQL is down or restarting.
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` (a PostgreSQL URL) going through the proxy: its host and port replaced. */
  through(url: string): string;
  /** Closes every connection and refuses the new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the TCP proxy has no port');
  const port = address.port;
  return {
    port,
    through: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: () => {
      isCut = true;
      for (const s of open) s.destroy();
    },
    restore: () => {
      isCut = false;
    },
    close: async () => {
      isCut = true;
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
