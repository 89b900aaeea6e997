/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any */
// Declarative projects through HTTP: the spec fields round trip, ".jobsets" comes and goes with them,
// and a declarative project's jobsets cannot be created, changed or deleted (409).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
let admin: string;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
});
afterAll(async () => {
  await h.close();
});

async function json(r: Response): Promise<any> {
  return r.json();
}

async function jobsetNames(projectId: number): Promise<string[]> {
  const list = await json(await h.call('GET', `/api/v1/projects/${projectId}/jobsets`));
  return (list.items as { name: string }[]).map((j) => j.name);
}

describe('declarative projects', () => {
  it('round-trips the spec fields and keeps .jobsets in step with them', async () => {
    const created = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: {
        name: 'decl',
        repository_url: 'https://example.invalid/decl.git',
        declarative: { file: 'ci/spec.json', branch: 'release' },
      },
    });
    expect(created.status).toBe(201);
    const p = await json(created);
    expect(p.declarative).toEqual({ file: 'ci/spec.json', type: 'git', value: null, branch: 'release' });
    expect((await json(await h.call('GET', `/api/v1/projects/${p.id}`))).declarative).toEqual(p.declarative);
    expect(await jobsetNames(p.id)).toEqual(['.jobsets']);
    const jobsets = (await json(await h.call('GET', `/api/v1/projects/${p.id}/jobsets`))).items[0];
    expect(jobsets).toMatchObject({ name: '.jobsets', hidden: true, state: 'enabled' });

    const toPath = await h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: admin,
      body: { declarative: { file: 'spec.json', type: 'path', value: '/srv/ci' } },
    });
    expect(toPath.status).toBe(200);
    expect((await json(toPath)).declarative).toEqual({
      file: 'spec.json',
      type: 'path',
      value: '/srv/ci',
      branch: null,
    });

    const off = await h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: admin,
      body: { declarative: null },
    });
    expect((await json(off)).declarative).toBeNull();
    expect(await jobsetNames(p.id)).toEqual([]);
  });

  it('rejects bad specs with the field named', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ file: '../spec.json' }, 'declarative.file'],
      [{ file: '/etc/spec.json' }, 'declarative.file'],
      [{ file: 'spec.json', type: 'path' }, 'declarative.value'],
      [{ file: 'spec.json', type: 'path', value: 'relative/dir' }, 'declarative.value'],
      [{ file: 'spec.json', type: 'hg' }, 'declarative.type'],
      [{ file: 'spec.json', value: '--upload-pack=evil' }, 'declarative.value'],
    ];
    for (const [declarative, field] of cases) {
      const r = await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'bad-decl', repository_url: 'https://example.invalid/x.git', declarative },
      });
      expect(r.status).toBe(400);
      const fields = ((await json(r)).error.details.fields as { field: string }[]).map((f) => f.field);
      expect(fields).toContain(field);
    }
  });

  it("answers 409 to creating, changing or deleting a declarative project's jobsets", async () => {
    const p = await json(
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'decl-locked', repository_url: 'https://example.invalid/l.git' },
      }),
    );
    const before = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: { name: 'manual', nix_expression: 'release.nix' },
    });
    expect(before.status).toBe(201);
    const manual = await json(before);
    await h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: admin,
      body: { declarative: { file: 'spec.json' } },
    });

    const create = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: { name: 'other', nix_expression: 'release.nix' },
    });
    expect(create.status).toBe(409);
    const error = (await json(create)).error;
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/project "decl-locked" is declarative.*spec\.json/);

    const patch = await h.call('PATCH', `/api/v1/jobsets/${manual.id}`, {
      key: admin,
      body: { description: 'x' },
    });
    expect(patch.status).toBe(409);
    expect((await json(patch)).error.message).toMatch(/cannot change jobset/);
    expect((await h.call('DELETE', `/api/v1/jobsets/${manual.id}`, { key: admin })).status).toBe(409);
    expect((await json(await h.call('GET', `/api/v1/jobsets/${manual.id}`))).description).toBeNull();

    // Not declarative any more: editable again.
    await h.call('PATCH', `/api/v1/projects/${p.id}`, { key: admin, body: { declarative: null } });
    expect(
      (await h.call('PATCH', `/api/v1/jobsets/${manual.id}`, { key: admin, body: { description: 'x' } }))
        .status,
    ).toBe(200);
  });

  it('takes and shows a jobset nix_expression_input', async () => {
    const p = await json(
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'expr-input', repository_url: 'https://example.invalid/e.git' },
      }),
    );
    const r = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: {
        name: 'main',
        nix_expression: 'release.nix',
        nix_expression_input: 'src',
        inputs: [{ name: 'src', type: 'path', value: '/srv/src' }],
      },
    });
    expect(r.status).toBe(201);
    expect((await json(r)).nix_expression_input).toBe('src');
  });
});
