// The binary cache end to end: the built fc-server serves a store path built here, and real Nix is the
// client (`nix copy --from http://.../nix-cache` into a fresh local store with require-sigs on).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execa, type ResultPromise } from 'execa';
import { assertNixAvailable, createTestDatabase, runApp, startApp, type TestDatabase } from '@fc/testing';
import { insertFixture } from '../testing/build-fixtures';

interface PathInfo {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
  deriver?: string;
  ca?: string;
}

// Each test starts fc-server or runs Nix: well past jest's default 5 s on a loaded machine.
jest.setTimeout(120_000);

let db: TestDatabase;
let dir: string;
let out: string;
let dep: string;
let drv: string;
let publicKey: string;
let otherPublicKey: string;
const running: ResultPromise[] = [];

/** Nix's own caches (narinfo lookups) stay inside this spec's directory. */
const nixEnv = () => ({ ...process.env, XDG_CACHE_HOME: join(dir, 'xdg-cache') });
const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: nixEnv() }).trim();
const pathInfo = (path: string, extra: string[] = []) =>
  (JSON.parse(run('nix', ['path-info', '--json', ...extra, path])) as PathInfo[])[0]!;
const hashOf = (path: string) => basename(path).slice(0, 32);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the built fc-server with this FC_* configuration; its cache's URL once it answers. */
async function startServer(
  env: Record<string, string>,
  user?: { uid: number; gid: number },
): Promise<string> {
  const port = await freePort();
  const server = startApp('server', [], {
    ...(user ? { user } : {}),
    env: {
      FC_DATABASE__URL: db.url,
      FC_DATABASE__MIN_CONNECTIONS: '0',
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: 'nix-cache-spec',
      ...env,
    },
  });
  running.push(server);
  let exited = false;
  void server.finally(() => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      // Any answer means it listens (a rate-limited /health is a 429).
      await fetch(`${base}/health`);
      return `${base}/nix-cache`;
    } catch {
      // not listening yet
    }
    if (exited || Date.now() > deadline) {
      throw new Error(`fc-server did not start: ${String((await server).stderr)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `nix copy` of `path` and its closure from the cache into a fresh local store. */
async function nixCopy(cache: string, path: string, options: { trustedKey: string; requireSigs: boolean }) {
  const store = mkdtempSync(join(dir, 'store-'));
  const r = await execa(
    'nix',
    [
      'copy',
      '--from',
      cache,
      '--to',
      store,
      '--option',
      'require-sigs',
      String(options.requireSigs),
      '--option',
      'trusted-public-keys',
      options.trustedKey,
      path,
    ],
    { reject: false, env: nixEnv(), stdin: 'ignore', timeout: 60_000 },
  );
  return { store, exitCode: r.exitCode, stderr: String(r.stderr) };
}

function narInfoFields(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of body.split('\n').filter(Boolean)) {
    const colon = line.indexOf(': ');
    fields[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return fields;
}

beforeAll(async () => {
  assertNixAvailable();
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fc-nix-cache-'));
  const nonce = `${process.pid}-${Date.now()}`;
  writeFileSync(
    join(dir, 'default.nix'),
    `let
       dep = builtins.derivation { name = "fc-cache-dep-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo dependency > $out" ]; };
     in builtins.derivation { name = "fc-cache-top-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; inherit dep; args = [ "-c" "echo $dep > $out" ]; }
    `,
  );
  out = run('nix-build', ['--no-out-link', join(dir, 'default.nix')]);
  drv = pathInfo(out).deriver!;
  dep = pathInfo(out).references[0]!;
  run('nix-store', ['--generate-binary-cache-key', 'fc-spec-1', join(dir, 'key.sec'), join(dir, 'key.pub')]);
  run('nix-store', [
    '--generate-binary-cache-key',
    'fc-spec-1',
    join(dir, 'other.sec'),
    join(dir, 'other.pub'),
  ]);
  publicKey = run('cat', [join(dir, 'key.pub')]);
  otherPublicKey = run('cat', [join(dir, 'other.pub')]);
}, 120_000);

afterAll(async () => {
  for (const server of running) server.kill('SIGTERM');
  await Promise.all(running);
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a signed cache (cache.secret_key_file)', () => {
  let cache: string;
  beforeAll(async () => {
    // A rate limit of one request a second must not reach Nix clients: the cache is not rate limited.
    cache = await startServer({
      FC_CACHE__SECRET_KEY_FILE: join(dir, 'key.sec'),
      FC_SERVER__RATE_LIMIT_RPS: '1',
      FC_SERVER__RATE_LIMIT_BURST: '1',
    });
  });

  it('answers nix-cache-info', async () => {
    const r = await fetch(`${cache}/nix-cache-info`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n');
  });

  it('gives the narinfo of a valid path with the facts nix path-info gives', async () => {
    const r = await fetch(`${cache}/${hashOf(out)}.narinfo`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/x-nix-narinfo/);
    const fields = narInfoFields(await r.text());
    const info = pathInfo(out);
    expect(fields).toEqual({
      StorePath: out,
      URL: `nar/${hashOf(out)}.nar.zst`,
      Compression: 'zstd',
      NarHash: `sha256:${run('nix', ['hash', 'to-base32', info.narHash])}`,
      NarSize: String(info.narSize),
      References: basename(dep),
      Deriver: basename(drv),
      Sig: expect.stringMatching(/^fc-spec-1:[A-Za-z0-9+/]{86}==$/),
    });
    // A derivation is content-addressed (text:sha256:...): its narinfo says so.
    const drvFields = narInfoFields(await (await fetch(`${cache}/${hashOf(drv)}.narinfo`)).text());
    expect(drvFields['StorePath']).toBe(drv);
    expect(drvFields['CA']).toBe(pathInfo(drv, ['--derivation']).ca);
    expect(drvFields['CA']).toMatch(/^text:sha256:/);
  });

  it('streams the NAR nix-store --dump writes, with its size as Content-Length', async () => {
    const r = await fetch(`${cache}/nar/${hashOf(out)}.nar`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-nix-nar');
    expect(r.headers.get('content-length')).toBe(String(pathInfo(out).narSize));
    expect(Buffer.from(await r.arrayBuffer())).toEqual(execFileSync('nix-store', ['--dump', out]));
  });

  it('streams the NAR zstd-compressed at the URL narinfo names', async () => {
    const r = await fetch(`${cache}/nar/${hashOf(out)}.nar.zst`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zstd');
    const compressed = Buffer.from(await r.arrayBuffer());
    const nar = execFileSync('zstd', ['-d', '-c'], { input: compressed });
    expect(nar).toEqual(execFileSync('nix-store', ['--dump', out]));
    const head = await fetch(`${cache}/nar/${hashOf(out)}.nar.zst`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await fetch(`${cache}/nar/${'0'.repeat(32)}.nar.zst`)).status).toBe(404);
  });

  it('answers HEAD with the headers and no body', async () => {
    const narinfo = await fetch(`${cache}/${hashOf(out)}.narinfo`, { method: 'HEAD' });
    expect(narinfo.status).toBe(200);
    expect(Number(narinfo.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await narinfo.text()).toBe('');
    const nar = await fetch(`${cache}/nar/${hashOf(out)}.nar`, { method: 'HEAD' });
    expect(nar.status).toBe(200);
    expect(nar.headers.get('content-length')).toBe(String(pathInfo(out).narSize));
    expect(await nar.text()).toBe('');
    expect((await fetch(`${cache}/${'0'.repeat(32)}.narinfo`, { method: 'HEAD' })).status).toBe(404);
  });

  it('answers 404 for a path it does not have and 400 for what is not a store path hash', async () => {
    for (const url of [`${cache}/${'0'.repeat(32)}.narinfo`, `${cache}/nar/${'0'.repeat(32)}.nar`]) {
      const r = await fetch(url);
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('0'.repeat(32)) },
      });
    }
    // 31 characters; an "e" (not in Nix's alphabet); upper case.
    for (const hash of [hashOf(out).slice(1), `e${hashOf(out).slice(1)}`, hashOf(out).toUpperCase()]) {
      for (const url of [`${cache}/${hash}.narinfo`, `${cache}/nar/${hash}.nar`]) {
        const r = await fetch(url);
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({
          error: { code: 'invalid_request', details: { fields: [{ field: 'hash', in: 'path' }] } },
        });
      }
    }
  });

  it('lets Nix copy the whole closure with require-sigs and the right public key', async () => {
    const r = await nixCopy(cache, out, { trustedKey: publicKey, requireSigs: true });
    expect(r.stderr).not.toContain('error');
    expect(r.exitCode).toBe(0);
    const copied = (
      JSON.parse(run('nix', ['path-info', '--json', '--store', r.store, '-r', out])) as PathInfo[]
    )
      .map((i) => i.path)
      .sort();
    expect(copied).toEqual([out, dep].sort());
    // Nix itself checks every copied path's signature against the key.
    run('nix', [
      'store',
      'verify',
      '--store',
      r.store,
      '--sigs-needed',
      '1',
      '--trusted-public-keys',
      publicKey,
      '-r',
      out,
    ]);
  });

  it('is refused by Nix with require-sigs and a key that did not sign it', async () => {
    const r = await nixCopy(cache, out, { trustedKey: otherPublicKey, requireSigs: true });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('lacks a valid signature');
  });

  it('counts narinfo hits and misses and NAR bytes on /metrics', async () => {
    const read = async () => {
      // /metrics is rate limited like the API (one request a second here): wait for a token.
      await new Promise((r) => setTimeout(r, 1500));
      const response = await fetch(cache.replace(/\/nix-cache$/, '/metrics'));
      expect(response.status).toBe(200);
      const metrics = await response.text();
      const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? Number.NaN);
      return {
        hits: value(/^fc_binary_cache_narinfo_requests_total\{result="hit"[^}]*\} (\d+)$/m),
        misses: value(/^fc_binary_cache_narinfo_requests_total\{result="miss"[^}]*\} (\d+)$/m),
        narBytes: value(/^fc_binary_cache_nar_bytes_total\{[^}]*\} (\d+)$/m),
      };
    };
    const before = await read();
    expect((await fetch(`${cache}/${hashOf(out)}.narinfo`)).status).toBe(200);
    expect((await fetch(`${cache}/${hashOf(dep)}.narinfo`)).status).toBe(200);
    expect((await fetch(`${cache}/${'1'.repeat(32)}.narinfo`)).status).toBe(404);
    await (await fetch(`${cache}/nar/${hashOf(out)}.nar`)).arrayBuffer();
    expect(await read()).toEqual({
      hits: before.hits + 2,
      misses: before.misses + 1,
      narBytes: before.narBytes + pathInfo(out).narSize,
    });
  });
});

describe('build logs', () => {
  it('serves the log of a derivation FC built, so nix log --store <cache> <drv> prints it', async () => {
    const cache = await startServer({ FC_LOGS__LOG_DIR: dir });
    const line = `built by FC ${Date.now()}`;
    writeFileSync(join(dir, 'top.log'), `${line}\n`);
    const fixture = await insertFixture(db.pool, { builds: [{ job: 'top', status: 0, logPath: 'top.log' }] });
    await db.pool.query('UPDATE builds SET drv_path = $1 WHERE id = $2', [drv, fixture.buildIds[0]]);
    const r = await execa('nix', ['log', '--store', cache, drv], {
      reject: false,
      env: nixEnv(),
      stdin: 'ignore',
    });
    expect({ exitCode: r.exitCode, stdout: String(r.stdout).trim() }).toEqual({ exitCode: 0, stdout: line });
    expect((await fetch(`${cache}/log/${basename(dep).replace(/$/, '.drv')}`)).status).toBe(404);
    expect((await fetch(`${cache}/log/not-a-drv`)).status).toBe(400);
  });
});

describe('a flood of narinfo requests (issue 11: the cache was cheap to overload)', () => {
  it("is served from Nix's database without a nix process per request, bounded per client, the API answered beside it", async () => {
    // `nix` and `nix-store` on the server's PATH note each start, then run the real ones.
    const bin = mkdtempSync(join(dir, 'bin-'));
    const starts = join(dir, 'nix-starts.log');
    for (const tool of ['nix', 'nix-store']) {
      const real = run('sh', ['-c', `command -v ${tool}`]);
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${starts}\nexec ${real} "$@"\n`, {
        mode: 0o755,
      });
    }
    const cache = await startServer({ PATH: `${bin}:${process.env['PATH'] ?? ''}` });
    const narinfos = Array.from({ length: 300 }, () => fetch(`${cache}/${hashOf(out)}.narinfo`));
    const api = await fetch(cache.replace(/\/nix-cache$/, '/api/v1/projects'));
    expect(api.status).toBe(200);
    const answers = await Promise.all(narinfos);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // 8 running and 64 waiting per client are served; the rest are told to retry.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(72);
    const refused = answers.find((a) => a.status === 429);
    if (refused) expect(refused.headers.get('retry-after')).toBe('1');
    const bodies = await Promise.all(answers.map((a) => a.text()));
    expect(bodies.filter((b, i) => statuses[i] === 200 && !b.startsWith(`StorePath: ${out}\n`))).toEqual([]);
    expect(existsSync(starts) ? readFileSync(starts, 'utf8') : '').toBe('');
    // The wrappers do run for what needs Nix: a NAR is nix-store --dump.
    await (await fetch(`${cache}/nar/${hashOf(out)}.nar`)).arrayBuffer();
    expect(readFileSync(starts, 'utf8')).toContain(`nix-store --dump -- ${out}`);
  });
});

describe('the cache run by an unprivileged user, as the NixOS module runs fc-server', () => {
  it("reads Nix's database too (readable, not writable): narinfo without nix, the store directory unscanned", async () => {
    // nobody may run the wrappers and note in the log; with no nix on its PATH but the wrappers, a
    // narinfo served through `nix path-info` would fail (it did: only the store's owner read the database).
    const nobody = { uid: 65534, gid: 65534 };
    const bin = mkdtempSync(join(tmpdir(), 'fc-cache-nobody-'));
    chmodSync(bin, 0o755);
    const starts = join(bin, 'nix-starts.log');
    writeFileSync(starts, '', { mode: 0o666 });
    chmodSync(starts, 0o666);
    try {
      for (const tool of ['nix', 'nix-store']) {
        writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${starts}\nexit 1\n`, {
          mode: 0o755,
        });
      }
      const node = dirname(process.execPath);
      const cache = await startServer({ PATH: `${bin}:${node}:/bin` }, nobody);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${cache}/${hashOf(out)}.narinfo`)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
      for (const a of answers) expect(await a.text()).toMatch(new RegExp(`^StorePath: ${out}\n`));
      expect(readFileSync(starts, 'utf8')).toBe('');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('an unsigned cache', () => {
  it('is refused by Nix with require-sigs, and copied without', async () => {
    const cache = await startServer({});
    const narinfo = await (await fetch(`${cache}/${hashOf(out)}.narinfo`)).text();
    expect(narinfo).not.toContain('Sig:');
    const refused = await nixCopy(cache, out, { trustedKey: publicKey, requireSigs: true });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('lacks a valid signature');
    const copied = await nixCopy(cache, out, { trustedKey: publicKey, requireSigs: false });
    expect(copied.exitCode).toBe(0);
  });
});

describe('cache.enabled = false', () => {
  it('answers 404 under /nix-cache/', async () => {
    const cache = await startServer({ FC_CACHE__ENABLED: 'false' });
    for (const url of [
      `${cache}/nix-cache-info`,
      `${cache}/${hashOf(out)}.narinfo`,
      `${cache}/nar/${hashOf(out)}.nar`,
    ]) {
      expect((await fetch(url)).status).toBe(404);
    }
  });
});

describe('a bad cache.secret_key_file', () => {
  it.each([
    ['missing', () => join(dir, 'absent.sec'), 'cannot read'],
    ['the public key', () => join(dir, 'key.pub'), 'is this the public key?'],
    [
      'not a key',
      () => {
        writeFileSync(join(dir, 'garbage.sec'), 'fc-spec-1:this is not base64!\n');
        return join(dir, 'garbage.sec');
      },
      'is not base64',
    ],
  ])('%s: exit 2 naming cache.secret_key_file, never the key', async (_what, file, message) => {
    const path = file();
    const r = await runApp('server', [], {
      env: {
        FC_DATABASE__URL: db.url,
        FC_CACHE__SECRET_KEY_FILE: path,
        FC_SERVER__PORT: String(await freePort()),
      },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cache.secret_key_file');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain(publicKey.split(':')[1]!);
    expect(r.stderr).not.toContain('this is not base64');
  });
});
