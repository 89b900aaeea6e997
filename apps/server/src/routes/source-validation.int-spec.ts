// Repository URLs, branches, expression paths and jobset names the evaluator would refuse (or run
// as an option or a command) are refused by the API, with the field named.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
let admin: string;
let projectId: number;
let jobsetId: number;

interface ErrorBody {
  error: { code: string; message: string; details: { fields: { field: string; message: string }[] } };
}

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
  const p = await h.call('POST', '/api/v1/projects', {
    key: admin,
    body: { name: 'sources', repository_url: 'git@example.invalid:acme/app.git' },
  });
  projectId = ((await p.json()) as { id: number }).id;
  const j = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
    key: admin,
    body: { name: 'main', nix_expression: './ci/release.nix', branch: 'release/1.0' },
  });
  expect(j.status).toBe(201);
  jobsetId = ((await j.json()) as { id: number }).id;
});

afterAll(async () => {
  await h.close();
});

async function refused(method: string, path: string, body: unknown, field: string, message: string) {
  const r = await h.call(method, path, { key: admin, body });
  expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
  const e = ((await r.json()) as ErrorBody).error;
  expect(e.code).toBe('invalid_request');
  expect(e.details.fields).toContainEqual({ field, in: 'body', message: expect.stringContaining(message) });
  expect(e.message).toContain(`${field}: `);
}

describe('the API refuses what git or Nix would take as an option, a command or a path outside', () => {
  it('repository URLs: options, remote helpers (ext::, fd::), transports other than https/http/ssh/git/file', async () => {
    const cases: [string, string][] = [
      ['--upload-pack=touch /tmp/pwned', "it begins with '-'"],
      ['-oProxyCommand=touch /tmp/pwned', "it begins with '-'"],
      ['ext::sh -c touch% /tmp/pwned', "git's ext:: transport is not supported"],
      ['fd::17', "git's fd:: transport is not supported"],
      ['ftp://example.invalid/app.git', 'the ftp transport is not supported'],
      ['ssh://-oProxyCommand=x/app', "its host begins with '-'"],
    ];
    for (const [url, message] of cases) {
      await refused(
        'POST',
        '/api/v1/projects',
        { name: 'evil', repository_url: url },
        'repository_url',
        message,
      );
      await refused(
        'PATCH',
        `/api/v1/projects/${projectId}`,
        { repository_url: url },
        'repository_url',
        message,
      );
    }
    // A git input's value is Hydra's "URL [BRANCH|REV] [deep]".
    for (const [value, message] of [
      ['--upload-pack=touch', 'must not start with "-"'],
      ['ext::sh', "git's ext:: transport is not supported"],
      ['fd::17 main', "git's fd:: transport is not supported"],
      ['ftp://example.invalid/app.git main', 'the ftp transport is not supported'],
    ]) {
      await refused(
        'POST',
        `/api/v1/projects/${projectId}/jobsets`,
        { name: 'evil', nix_expression: 'release.nix', inputs: [{ name: 'src', type: 'git', value }] },
        'inputs.0.value',
        message!,
      );
    }
    // Hydra's pulls inputs: "OWNER REPO" and "HOST OWNER REPO [https|http]".
    for (const [type, value, message] of [
      ['githubpulls', 'NixOS', 'a githubpulls value is "OWNER REPO": words are missing'],
      ['githubpulls', 'NixOS ../nixpkgs', 'the repository "../nixpkgs" is not a name'],
      ['giteapulls', 'https://codeberg.org forgejo forgejo', 'not a host name'],
    ]) {
      await refused(
        'POST',
        `/api/v1/projects/${projectId}/jobsets`,
        { name: 'pulls', nix_expression: 'release.nix', inputs: [{ name: 'pulls', type, value }] },
        'inputs.0.value',
        message!,
      );
    }
    await refused(
      'POST',
      '/api/v1/projects',
      {
        name: 'evil',
        repository_url: 'https://example.invalid/a.git',
        declarative: { file: 'spec.json', value: 'ext::sh' },
      },
      'declarative.value',
      "git's ext:: transport is not supported",
    );
  });

  it('branches beginning with "-", on the jobset and on its git inputs', async () => {
    const jobsets = `/api/v1/projects/${projectId}/jobsets`;
    await refused(
      'POST',
      jobsets,
      { name: 'evil', nix_expression: 'a.nix', branch: '-oX' },
      'branch',
      "begins with '-'",
    );
    await refused(
      'PATCH',
      `/api/v1/jobsets/${jobsetId}`,
      { branch: '--upload-pack=x' },
      'branch',
      "begins with '-'",
    );
    await refused(
      'POST',
      jobsets,
      {
        name: 'evil',
        nix_expression: 'a.nix',
        inputs: [
          { name: 'src', type: 'git', value: 'https://example.invalid/s.git', branch: '--upload-pack=x' },
        ],
      },
      'inputs.0.branch',
      "begins with '-'",
    );
  });

  it("other inputs' values: hg, svn, bzr and darcs options and hosts, relative paths (the evaluator refuses them too)", async () => {
    const cases: [string, string, string][] = [
      ['hg', '--config=hooks.pre-clone=touch /tmp/pwned', 'must not start with "-"'],
      ['hg', 'https://example.invalid/r -r', 'must not start with "-"'],
      ['svn', 'svn+ssh://-oProxyCommand=touch%20/tmp/pwned/r', "its host begins with '-'"],
      ['bzr', 'bzr+ssh://-oProxyCommand=x/r', "its host begins with '-'"],
      ['darcs', 'https://example.invalid/r 1 2', 'the value is "URL [REVISION]"'],
      ['path', 'relative/dir', 'a path value must be an absolute path'],
    ];
    for (const [type, value, message] of cases) {
      const inputs = [{ name: 'src', type, value }];
      await refused(
        'POST',
        `/api/v1/projects/${projectId}/jobsets`,
        { name: 'evil', nix_expression: 'x.nix', inputs },
        'inputs.0.value',
        message,
      );
      await refused('PATCH', `/api/v1/jobsets/${jobsetId}`, { inputs }, 'inputs.0.value', message);
    }
    const fine = await h.call('PATCH', `/api/v1/jobsets/${jobsetId}`, {
      key: admin,
      body: { inputs: [{ name: 'src', type: 'hg', value: 'https://example.invalid/r 1a2b' }] },
    });
    expect(fine.status).toBe(200);
  });

  it('nix_expression paths that are absolute or climb out with ..', async () => {
    for (const path of ['/etc/passwd', '../other-jobset/release.nix', 'ci/../../x.nix']) {
      await refused(
        'POST',
        `/api/v1/projects/${projectId}/jobsets`,
        { name: 'evil', nix_expression: path },
        'nix_expression',
        'it must be a relative path inside the repository',
      );
      await refused(
        'PATCH',
        `/api/v1/jobsets/${jobsetId}`,
        { nix_expression: path },
        'nix_expression',
        'it must be a relative path inside the repository',
      );
    }
  });

  it('the reserved jobset name .jobsets', async () => {
    await refused(
      'POST',
      `/api/v1/projects/${projectId}/jobsets`,
      { name: '.jobsets', nix_expression: 'release.nix' },
      'name',
      '.jobsets is reserved',
    );
    await refused(
      'PATCH',
      `/api/v1/jobsets/${jobsetId}`,
      { name: '.jobsets' },
      'name',
      '.jobsets is reserved',
    );
    const r = await h.call('GET', `/api/v1/jobsets/${jobsetId}`);
    expect(await r.json()).toMatchObject({
      name: 'main',
      nix_expression: './ci/release.nix',
      branch: 'release/1.0',
    });
  });
});

describe("the dashboard's forms refuse the same, with the field named", () => {
  it('create project, edit project, create jobset, edit jobset', async () => {
    expect(
      (
        await h.call('POST', '/api/v1/users', {
          key: admin,
          body: { username: 'forms', password: 'correct horse', roles: ['admin'] },
        })
      ).status,
    ).toBe(201);
    const login = await h.call('POST', '/api/v1/auth/login', {
      body: { username: 'forms', password: 'correct horse' },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = login.headers.get('x-csrf-token')!;
    const post = async (path: string, fields: Record<string, string>): Promise<string> => {
      const r = await h.call('POST', path, {
        cookie,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
      });
      expect([path, r.status]).toEqual([path, 303]);
      // The flash is shown on the page the form leads back to.
      const back = await h.call('GET', r.headers.get('location')!.split('#')[0]!, { cookie });
      return (await back.text()).replace(/&#39;/g, "'").replace(/&#34;/g, '"');
    };
    const cases: [string, Record<string, string>, string][] = [
      [
        '/projects',
        { name: 'evil1', repository_url: 'ext::sh -c touch% /tmp/pwned' },
        "repository_url: git's ext:: transport is not supported",
      ],
      [
        '/projects',
        { name: 'evil2', repository_url: '--upload-pack=touch /tmp/pwned' },
        "repository_url: it begins with '-'",
      ],
      [
        '/project/sources/edit',
        { repository_url: 'fd::17', pull_request_statuses: 'both' },
        "repository_url: git's fd:: transport is not supported",
      ],
      [
        '/project/sources/jobsets',
        { name: 'evil3', nix_expression: '../../etc/x.nix' },
        'nix_expression: it must be a relative path inside the repository',
      ],
      [
        '/project/sources/jobsets',
        { name: '.jobsets', nix_expression: 'release.nix' },
        ".jobsets is reserved for a declarative project's spec jobset",
      ],
      [
        '/jobset/sources/main/edit',
        { nix_expression: '/etc/passwd', check_interval: '60', scheduling_shares: '100', keep_nr: '3' },
        'nix_expression: it must be a relative path inside the repository',
      ],
    ];
    for (const [path, fields, message] of cases) {
      expect([path, await post(path, fields)]).toEqual([path, expect.stringContaining(message)]);
    }
    const projects = await h.pool.query(`SELECT name FROM projects WHERE name LIKE 'evil%'`);
    expect(projects.rows).toEqual([]);
    const jobsets = await h.pool.query(
      `SELECT name, nix_expression FROM jobsets WHERE project_id = $1 ORDER BY name`,
      [projectId],
    );
    expect(jobsets.rows).toEqual([{ name: 'main', nix_expression: './ci/release.nix' }]);
    const project = await h.pool.query(`SELECT repository_url FROM projects WHERE id = $1`, [projectId]);
    expect(project.rows).toEqual([{ repository_url: 'git@example.invalid:acme/app.git' }]);
  });
});
