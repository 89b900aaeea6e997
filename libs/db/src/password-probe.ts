// Does PostgreSQL let anyone on this machine in without a password? Nix runs a fixed-output
// derivation (a download) sandboxed but with this machine's network, so with `trust` for TCP in
// pg_hba.conf any jobset's build could connect to 127.0.0.1:5432 and read or change FC's database:
// its sessions, users, keys and builds. FC asks the server what it asks of a stranger: it connects as
// its own user with a password nobody has. Connections over a Unix socket are not probed: the
// sandbox has no socket directory.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgErrorCode } from './pg-error-codes';

const INVALID_PASSWORD = '28P01';
const INVALID_AUTHORIZATION = '28000';

export type PasswordProbe =
  | { readonly verdict: 'password required' }
  | { readonly verdict: 'no password needed'; readonly server: string; readonly user: string }
  | { readonly verdict: 'not probed'; readonly reason: string };

/** The server a TCP database URL names, or undefined for a Unix socket. */
export function tcpServerOf(url: string): { host: string; port: string; user: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const hostParam = u.searchParams.get('host');
  if (u.hostname === '' || (hostParam !== null && hostParam.startsWith('/'))) return undefined;
  return { host: hostParam ?? u.hostname, port: u.port || '5432', user: decodeURIComponent(u.username) };
}

export async function probePasswordRequired(url: string, timeoutMs = 5000): Promise<PasswordProbe> {
  const server = tcpServerOf(url);
  if (server === undefined)
    return { verdict: 'not probed', reason: 'the database is reached over a Unix socket' };
  const stranger = new URL(url);
  stranger.password = randomBytes(24).toString('base64url');
  const client = new pg.Client({ connectionString: stranger.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    return { verdict: 'no password needed', server: `${server.host}:${server.port}`, user: server.user };
  } catch (e) {
    const code = pgErrorCode(e);
    if (code === INVALID_PASSWORD || code === INVALID_AUTHORIZATION) return { verdict: 'password required' };
    return { verdict: 'not probed', reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The line a daemon that builds logs when the database lets anyone in: a warning, else nothing. */
export function passwordProbeWarning(probe: PasswordProbe): string | undefined {
  if (probe.verdict !== 'no password needed') return undefined;
  return (
    `THE DATABASE LETS ANYONE IN WITHOUT A PASSWORD: PostgreSQL at ${probe.server} accepted user ` +
    `${probe.user || '(default)'} with a wrong password (pg_hba.conf trust); a fixed-output build shares this ` +
    "machine's network and could read and change FC's database. Use scram-sha-256 for host lines in " +
    'pg_hba.conf (the password in database.url or ~/.pgpass), or connect through the Unix socket'
  );
}
