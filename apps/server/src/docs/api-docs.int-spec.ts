// docs/api.md is a contract: its curl sequence runs verbatim against the built fc-server, and its
// endpoint table lists exactly the routes the server has.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, REPO_ROOT, type TestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('docs/api.md', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs the curl sequence verbatim', async () => {
    const block = /<!-- curl-sequence:start -->\n```sh\n([\s\S]*?)```\n<!-- curl-sequence:end -->/.exec(
      doc,
    )?.[1];
    expect(block).toBeDefined();
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FC_')) env[k] = v;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'bash',
        ['-euo', 'pipefail', '-c', block!],
        {
          cwd: REPO_ROOT,
          env: {
            ...env,
            FC_DATABASE__URL: db.url,
            FC_SERVER__PORT: String(port),
            FC_SERVER__SESSION_SECRET: 'docs',
          },
          timeout: 90_000,
        },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    const lines = out.trim().split('\n');
    const migrateOutput = lines.findIndex((l) => l.startsWith('{"status"'));
    expect(JSON.parse(lines[migrateOutput]!)).toEqual({ status: 'ok', database: 'ok' });
    const [created, listed, status] = lines.slice(migrateOutput + 1);
    expect(JSON.parse(created!)).toMatchObject({ id: expect.any(Number), name: 'hello' });
    expect(JSON.parse(listed!)).toMatchObject({ items: [{ name: 'hello' }], total: 1, limit: 10, offset: 0 });
    expect(status).toBe('403');
  }, 120_000);

  describe('endpoint table', () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApiHarness(await createTestDatabase());
    });
    afterAll(async () => {
      await h.close();
    });

    it('lists every route with its auth, and nothing else', () => {
      const rows = [
        ...doc.matchAll(/^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm),
      ].map((m) => `${m[1]} ${m[2]} ${m[3]!.trim()}`);
      const auth = (a: string) =>
        a === 'public'
          ? 'public'
          : a === 'authenticated'
            ? 'any key or session'
            : a === 'admin'
              ? 'admin'
              : `\`${a}\``;
      const routes = h.server.routes.map((r) => `${r.method.toUpperCase()} ${r.path} ${auth(r.access)}`);
      expect([...rows].sort()).toEqual([...routes].sort());
    });
  });
});
