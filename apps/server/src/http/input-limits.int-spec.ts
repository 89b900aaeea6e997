// Input PostgreSQL cannot store, sent through HTTP to several routes: NUL characters in a body
// string, a query and a path, and integers past PostgreSQL integer. Each is a 400 naming the field
// (each was a 500 from the database before).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
let admin: string;
let projectId: number;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
  const p = await h.call('POST', '/api/v1/projects', {
    key: admin,
    body: { name: 'limits', repository_url: 'https://example.invalid/r.git' },
  });
  projectId = ((await p.json()) as { id: number }).id;
});
afterAll(async () => {
  await h.close();
});

async function expectField(r: Response, where: string, field: string, message: RegExp): Promise<void> {
  const body = (await r.json()) as { error: { code: string; details: { fields: unknown[] } } };
  expect([r.status, body.error.code]).toEqual([400, 'invalid_request']);
  expect(body.error.details.fields).toEqual([{ field, in: where, message: expect.stringMatching(message) }]);
}

describe('input PostgreSQL cannot store', () => {
  it('an integer past PostgreSQL integer in a body is a 400 naming it', async () => {
    const r = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
      key: admin,
      body: { name: 'big', nix_expression: 'release.nix', check_interval: 3_000_000_000 },
    });
    await expectField(r, 'body', 'check_interval', /between -2147483648 and 2147483647/);
    const shares = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
      key: admin,
      body: { name: 'big', nix_expression: 'release.nix', scheduling_shares: 2 ** 40 },
    });
    await expectField(shares, 'body', 'scheduling_shares', /between/);
  });

  it('a NUL character in a body string, a query and a path is a 400 naming it', async () => {
    const body = await h.call('PATCH', `/api/v1/projects/${projectId}`, {
      key: admin,
      body: { description: 'nul \u0000 here' },
    });
    await expectField(body, 'body', 'description', /NUL/);
    await expectField(await h.call('GET', '/api/v1/search?q=abc%00def'), 'query', 'q', /NUL/);
    await expectField(
      await h.call('DELETE', '/api/v1/me/starred-jobs/1/a%00b', { key: await h.key('read-only', null) }),
      'path',
      'job',
      /NUL/,
    );
  });

  it('nothing was stored by the refused requests', async () => {
    const p = (await (await h.call('GET', `/api/v1/projects/${projectId}`)).json()) as {
      description: unknown;
    };
    expect(p.description).toBeNull();
    const jobsets = (await (await h.call('GET', `/api/v1/projects/${projectId}/jobsets`)).json()) as {
      total: number;
    };
    expect(jobsets.total).toBe(0);
  });

  it('every query parameter and path parameter of every route: a NUL or a number past 64 bits is never a 500', async () => {
    interface Parameter {
      name: string;
      in: string;
      schema?: { type?: string | string[] };
    }
    const doc = (await (await h.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    };
    const failures: string[] = [];
    let requests = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const parameters = operation.parameters ?? [];
        const pathWith = (bad: string | undefined) =>
          template.replace(
            /\{([^}]+)\}/g,
            (_, name: string) => bad ?? (name.includes('name') ? 'build-derivation' : '1'),
          );
        const tries: string[] = [];
        for (const bad of ['%00', '99999999999999999999999']) {
          for (const p of parameters.filter((x) => x.in === 'query'))
            tries.push(`${pathWith(undefined)}?${p.name}=${bad}`);
          if (parameters.some((x) => x.in === 'path')) tries.push(pathWith(bad));
        }
        for (const url of tries) {
          requests++;
          const r = await h.call(method.toUpperCase(), url, {
            key: admin,
            body: method === 'get' ? undefined : {},
          });
          await r.arrayBuffer();
          if (r.status >= 500) failures.push(`${method.toUpperCase()} ${url}: ${r.status}`);
        }
      }
    }
    expect(requests).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  }, 120_000);

  it('a string PostgreSQL could not index (a builder URI, a starred job name) is a 400 naming it', async () => {
    // Random, so that PostgreSQL cannot compress it under its index limit.
    const long = randomBytes(3000).toString('hex');
    const builder = await h.call('POST', '/api/v1/admin/builders', {
      key: admin,
      body: { name: 'far', uri: `ssh://${long}`, systems: ['x86_64-linux'] },
    });
    await expectField(builder, 'body', 'uri', /longer than 1024 characters/);
    const user = await h.call('POST', '/api/v1/users', {
      key: admin,
      body: { username: 'starrer', password: 'correct horse', roles: ['read-only'] },
    });
    const userKey = await h.key('read-only', ((await user.json()) as { id: number }).id);
    const j = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
      key: admin,
      body: { name: 'stars', nix_expression: 'release.nix' },
    });
    const jobsetId = ((await j.json()) as { id: number }).id;
    const star = await h.call('POST', '/api/v1/me/starred-jobs', {
      key: userKey,
      body: { jobset_id: jobsetId, job: long },
    });
    await expectField(star, 'body', 'job', /longer than any job's name/);
  });
});
