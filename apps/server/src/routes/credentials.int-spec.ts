// Credentials in projects, jobsets and evaluations, read through HTTP by anonymous callers, read-only
// keys and roles that may not edit projects: none sees a token, a password or a secret input's value;
// those who may edit projects see them whole.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

const TOKEN = 'ghp_Zx81tokenNeverShown';
const SECRET = 'hunter2-secret-value';
// What fc-evaluator keeps of a secret input's value: its hash, which for a short secret is as good.
const SECRET_HASH = createHash('sha256').update(SECRET).digest('hex');
const REPO = `http://deploy:${TOKEN}@git.example.com/acme/app.git`;

let h: ApiHarness;
let editor: string;
let readers: Record<string, string | undefined>;
let projectId: number;
let declarativeId: number;
let jobsetId: number;
let evaluationId: number;
let buildId: number;

/** Every public read that can echo a project's credentials. */
function paths(): string[] {
  return [
    '/api/v1/projects',
    `/api/v1/projects/${projectId}`,
    `/api/v1/projects/${declarativeId}`,
    `/api/v1/projects/${projectId}/jobsets`,
    `/api/v1/projects/${declarativeId}/jobsets`,
    `/api/v1/jobsets/${jobsetId}`,
    '/api/v1/evaluations',
    `/api/v1/evaluations?jobset_id=${jobsetId}`,
    `/api/v1/evaluations/${evaluationId}`,
    '/api/v1/search?q=app',
    '/api/v1/search/quick?q=app',
    '/api/v1/builds',
    `/api/v1/builds/${buildId}`,
    `/api/v1/builds/${buildId}/steps`,
    '/api/v1/builds/recent',
    // The dashboard's pages.
    '/projects',
    '/project/app',
    '/project/app-decl',
    '/jobset/app/main',
    `/eval/${evaluationId}`,
    `/eval/${evaluationId}?tab=inputs`,
    `/build/${buildId}`,
    '/evaluations',
    '/search?q=app',
  ];
}

async function read(path: string, key: string | undefined): Promise<string> {
  const r = await h.call('GET', path, key ? { key } : {});
  expect([path, r.status]).toEqual([path, 200]);
  return r.text();
}

beforeAll(async () => {
  h = await createTestDatabase().then((db) => startApiHarness(db));
  editor = await h.key('create-projects');
  readers = {
    anonymous: undefined,
    'read-only': await h.key('read-only'),
    'eval-jobset': await h.key('eval-jobset'),
    'restart-jobs': await h.key('restart-jobs'),
  };
  const project = await h.call('POST', '/api/v1/projects', {
    key: editor,
    body: { name: 'app', repository_url: REPO },
  });
  expect(project.status).toBe(201);
  projectId = ((await project.json()) as { id: number }).id;
  const declarative = await h.call('POST', '/api/v1/projects', {
    key: editor,
    body: {
      name: 'app-decl',
      repository_url: 'https://git.example.com/acme/app.git',
      declarative: { file: 'spec.json', type: 'git', value: REPO },
    },
  });
  expect(declarative.status).toBe(201);
  declarativeId = ((await declarative.json()) as { id: number }).id;
  const jobset = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
    key: editor,
    body: {
      name: 'main',
      nix_expression: 'release.nix',
      inputs: [
        { name: 'deploy', type: 'git', value: `https://ci:${TOKEN}@git.example.com/acme/deploy.git` },
        { name: 'token', type: 'string', value: SECRET, secret: true },
        { name: 'mirror', type: 'string', value: `https://mirror:${TOKEN}@cache.example.com` },
        { name: 'version', type: 'string', value: '1.2.3' },
        // git's scp-like form, with a password git would send to ssh.
        { name: 'scp', type: 'git', value: `deploy:${TOKEN}@git.example.com:acme/scp.git` },
      ],
    },
  });
  expect(jobset.status).toBe(201);
  jobsetId = ((await jobset.json()) as { id: number }).id;
  // What fc-evaluator recorded for this jobset before inputs could be marked secret, and an error
  // whose message quotes a URL with its token.
  const e = await h.pool.query<{ id: number }>(
    `INSERT INTO evaluations (jobset_id, project_id, status, input_revisions, error, finished_at)
     VALUES ($1, $2, 'failed', $3, $4, now()) RETURNING id`,
    [
      jobsetId,
      projectId,
      JSON.stringify({
        repository: { uri: REPO, rev: 'a'.repeat(40) },
        token: { type: 'string', value: SECRET },
        version: { type: 'string', value: '1.2.3' },
        hashed: { type: 'string', secret: true, sha256: SECRET_HASH },
      }),
      `fetching ${REPO} failed`,
    ],
  );
  evaluationId = e.rows[0]!.id;
  await h.pool.query(`INSERT INTO evaluation_errors (evaluation_id, job, message) VALUES ($1, 'x', $2)`, [
    evaluationId,
    `cannot fetch https://u:${TOKEN}@h/x`,
  ]);
  // A build and a step whose error (Nix's) quotes a URL with its token.
  const b = await h.pool.query<{ id: number }>(
    `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, drv_path, system, finished, build_status, error_message)
     VALUES ($1, $2, $3, 'app', '/nix/store/aaaa-app.drv', 'x86_64-linux', true, 1, $4) RETURNING id`,
    [projectId, jobsetId, evaluationId, `cannot download https://u:${TOKEN}@cache.example.com/x`],
  );
  buildId = Number(b.rows[0]!.id);
  await h.pool.query(
    `INSERT INTO build_steps (build_id, step_nr, busy, status, error_message) VALUES ($1, 1, false, 1, $2)`,
    [buildId, `fetching https://u:${TOKEN}@cache.example.com/x failed`],
  );
  await h.pool.query(`UPDATE jobsets SET error_message = $2, error_at = now() WHERE id = $1`, [
    jobsetId,
    `git fetch ${REPO}: refused`,
  ]);
});
afterAll(async () => {
  await h.close();
});

describe('credentials', () => {
  it('are in no answer to callers who may not edit projects', async () => {
    for (const [who, key] of Object.entries(readers)) {
      for (const path of paths()) {
        const text = await read(path, key);
        expect({
          who,
          path,
          token: text.includes(TOKEN),
          secret: text.includes(SECRET),
          hash: text.includes(SECRET_HASH),
        }).toEqual({ who, path, token: false, secret: false, hash: false });
      }
    }
  });

  it('are replaced by *** in URLs, and a secret input is shown as secret without its value', async () => {
    const project = JSON.parse(await read(`/api/v1/projects/${projectId}`, undefined)) as Record<
      string,
      unknown
    >;
    expect(project['repository_url']).toBe('http://***@git.example.com/acme/app.git');
    const decl = JSON.parse(await read(`/api/v1/projects/${declarativeId}`, undefined)) as {
      declarative: { value: string };
    };
    expect(decl.declarative.value).toBe('http://***@git.example.com/acme/app.git');
    const jobset = JSON.parse(await read(`/api/v1/jobsets/${jobsetId}`, readers['read-only'])) as {
      inputs: unknown[];
      error_message: string;
    };
    expect(jobset.inputs).toEqual([
      {
        name: 'deploy',
        type: 'git',
        value: 'https://***@git.example.com/acme/deploy.git',
        branch: null,
        secret: false,
      },
      { name: 'mirror', type: 'string', value: 'https://***@cache.example.com', branch: null, secret: false },
      { name: 'scp', type: 'git', value: '***@git.example.com:acme/scp.git', branch: null, secret: false },
      { name: 'token', type: 'string', value: null, branch: null, secret: true },
      { name: 'version', type: 'string', value: '1.2.3', branch: null, secret: false },
    ]);
    expect(jobset.error_message).toBe('git fetch http://***@git.example.com/acme/app.git: refused');
    const evaluation = JSON.parse(await read(`/api/v1/evaluations/${evaluationId}`, undefined)) as Record<
      string,
      unknown
    >;
    expect(evaluation['input_revisions']).toEqual({
      repository: { uri: 'http://***@git.example.com/acme/app.git', rev: 'a'.repeat(40) },
      token: { type: 'string', secret: true },
      version: { type: 'string', value: '1.2.3' },
      hashed: { type: 'string', secret: true },
    });
    expect(evaluation['error']).toBe('fetching http://***@git.example.com/acme/app.git failed');
    const build = JSON.parse(await read(`/api/v1/builds/${buildId}`, undefined)) as Record<string, unknown>;
    expect(build['error_message']).toBe('cannot download https://***@cache.example.com/x');
  });

  it('are shown whole to those who may edit projects (create-projects, admin)', async () => {
    const admin = await h.key('admin');
    for (const key of [editor, admin]) {
      expect(await read(`/api/v1/projects/${projectId}`, key)).toContain(REPO);
      const jobset = await read(`/api/v1/jobsets/${jobsetId}`, key);
      expect(jobset).toContain(SECRET);
      expect(jobset).toContain(TOKEN);
      expect(await read(`/api/v1/evaluations/${evaluationId}`, key)).toContain(SECRET);
    }
  });

  it('a secret flag is set and cleared through PATCH, and an input is not secret unless marked', async () => {
    const patched = await h.call('PATCH', `/api/v1/jobsets/${jobsetId}`, {
      key: editor,
      body: { inputs: [{ name: 'version', type: 'string', value: '1.2.4', secret: true }] },
    });
    expect(patched.status).toBe(200);
    const anonymous = JSON.parse(await read(`/api/v1/jobsets/${jobsetId}`, undefined)) as {
      inputs: unknown[];
    };
    expect(anonymous.inputs).toEqual([
      { name: 'version', type: 'string', value: null, branch: null, secret: true },
    ]);
    const bad = await h.call('PATCH', `/api/v1/jobsets/${jobsetId}`, {
      key: editor,
      body: { inputs: [{ name: 'version', type: 'string', value: '1', secret: 'yes' }] },
    });
    expect(bad.status).toBe(400);
  });
});
