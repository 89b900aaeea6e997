// The dashboard in a real browser (Debian's Chromium through playwright-core) against the built
// fc-server, fc-evaluator and fc-queue-runner, real Nix and PostgreSQL, on a local git repository:
// logins, creating a project and a jobset through the forms, evaluating it, errors verbatim, the
// comparison of two evaluations, what a read-only user sees, logout, and stored script payloads
// staying inert. A PNG of every page is kept (the directory is printed).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startDashboardEnv, type DashboardEnv } from '../testing/browser-harness';
import { commitFiles, gitRepo } from '../testing/git-fixture';

const salt = randomUUID().slice(0, 8);
/** Script payloads stored in every user-controlled field the pages render. */
const SCRIPT = '<script>window.__xss = 1</script>';
const IMG = '<img src=x onerror="window.__xss = 1">';
const PAYLOAD = `${SCRIPT}${IMG}`;
const EVAL_ERROR = `boom ${PAYLOAD} in bad`;
/** Every job's meta.description. */
const DESCRIPTION = `A job ${PAYLOAD}`;

function release(jobs: Record<string, 'ok' | 'fail' | 'throw'>): string {
  const job = (name: string, kind: 'ok' | 'fail' | 'throw') =>
    kind === 'throw'
      ? `  "${name}" = throw ${JSON.stringify(EVAL_ERROR)};`
      : `  "${name}" = mk "${name.replace(/[^a-z]/g, '')}-${salt}" ${JSON.stringify(
          kind === 'ok' ? 'echo built > $out' : 'echo failing on purpose; exit 1',
        )};`;
  return `let mk = name: script: derivation {
    inherit name; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" script ]; PATH = "/usr/bin:/bin";
  } // { meta.description = ${JSON.stringify(DESCRIPTION)}; };
in {
${Object.entries(jobs)
  .map(([n, k]) => job(n, k))
  .join('\n')}
}
`;
}

let env: DashboardEnv;
let repo: string;
let admin: Page;
const project = `demo-${salt}`;
const jobsetPath = `/jobset/${project}/main`;

/** Checks what every page must be (stored text inert, title, labels, CSRF, colours) and keeps a PNG. */
async function look(page: Page, name: string): Promise<void> {
  await env.look(page, name);
}

beforeAll(async () => {
  env = await startDashboardEnv({ name: 'dashboard', evaluator: true, queueRunner: true });
  repo = gitRepo({ 'release.nix': release({ fixed: 'fail', broken: 'ok', steady: 'ok', bad: 'throw' }) });
  admin = await env.newPage();
}, 120_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

describe('the dashboard in a browser', () => {
  it('logs in with an API key and with a password', async () => {
    await admin.goto('/login');
    await look(admin, 'login');
    await env.loginWithKey(admin, await env.key('admin'));
    expect(await admin.locator('.fc-me').textContent()).toContain('admin key');

    await env.createUser('pat', 'correct horse', ['create-projects', 'eval-jobset']);
    const pat = await env.newPage();
    await pat.goto('/login');
    await pat.getByLabel('Username').fill('pat');
    await pat.getByLabel('Password').fill('wrong password');
    await pat.getByRole('button', { name: 'Log in', exact: true }).click();
    expect(await pat.getByRole('alert').textContent()).toContain('unknown user or wrong password');
    await env.loginWithPassword(pat, 'pat', 'correct horse');
    expect(await pat.locator('.fc-me strong').textContent()).toBe('pat');
    await look(pat, 'home-logged-in');
    await pat.context().close();
  }, 60_000);

  it('creates a project and a jobset through the forms', async () => {
    await admin.goto('/projects');
    await admin.getByLabel('Name', { exact: true }).fill(project);
    await admin.getByLabel('Display name').fill(`Demo ${PAYLOAD}`);
    await admin.getByLabel('Repository URL').fill(`file://${repo}`);
    await admin.getByLabel('Description').fill(`A project ${PAYLOAD}`);
    await admin.getByLabel('Homepage').fill('https://example.org/"onmouseover="window.__xss=1');
    await admin.getByRole('button', { name: 'Create project' }).click();
    await admin.waitForURL(`**/project/${project}`);
    expect(await admin.getByRole('status').textContent()).toBe(`Project ${project} created.`);
    expect(await admin.locator('h1').textContent()).toBe(`Demo ${PAYLOAD}`);
    expect(await admin.locator('.fc-project-description').textContent()).toBe(`A project ${PAYLOAD}`);

    await admin.getByLabel('Name', { exact: true }).fill('main');
    await admin.getByLabel('Nix expression (file in the repository)').fill('release.nix');
    await admin.getByLabel('Check interval (seconds; 0 = never poll)').fill('0');
    await admin.locator('#jobset-description').fill(`The main jobset ${PAYLOAD}`);
    await admin.getByRole('button', { name: 'Add jobset' }).click();
    await admin.waitForURL(`**${jobsetPath}`);
    expect(await admin.locator('.fc-jobset-description').textContent()).toBe(`The main jobset ${PAYLOAD}`);
    await look(admin, 'jobset-new');

    // A bad form goes back to the form with the reason.
    await admin.goto('/projects');
    await admin.getByLabel('Name', { exact: true }).fill(project);
    await admin.getByLabel('Repository URL').fill('file:///elsewhere');
    await admin.getByRole('button', { name: 'Create project' }).click();
    expect(await admin.getByRole('alert').textContent()).toBe(`a project named "${project}" already exists`);
    await look(admin, 'projects');
    await admin.goto(`/project/${project}`);
    expect(await admin.locator('td[data-secret="github"]').textContent()).toBe(
      'not set (the webhook is refused)',
    );
    await admin.getByRole('button', { name: 'Set or rotate the secret' }).click();
    expect(await admin.getByRole('status').textContent()).toMatch(
      /^New GitHub webhook secret \(shown this once/,
    );
    expect(await admin.locator('td[data-secret="github"]').textContent()).toBe('set');
    await look(admin, 'project');
  }, 60_000);

  it('evaluates it and shows the evaluation error verbatim on the jobset and evaluation pages', async () => {
    await admin.goto(jobsetPath);
    await admin.getByRole('button', { name: 'Evaluate now' }).click();
    expect(await admin.getByRole('status').textContent()).toContain('is queued');
    await env.reloadUntil(
      admin,
      'the first evaluation to succeed',
      async () => (await admin.locator('.fc-evaluations [data-status="succeeded"]').count()) === 1,
    );
    expect(await admin.locator('#latest-errors pre[data-job="bad"]').textContent()).toContain(EVAL_ERROR);
    await admin.locator('.fc-evaluations a[href^="/eval/"]').first().click();
    await admin.waitForURL('**/eval/*');
    expect(await admin.locator('#errors pre[data-job="bad"]').textContent()).toContain(EVAL_ERROR);
    // All three jobs are new in the first evaluation; wait for their builds to finish.
    await env.reloadUntil(
      admin,
      'the builds of the first evaluation',
      async () =>
        (await admin.locator('#unfinished').count()) === 0 &&
        (await admin.locator('#new [data-status="succeeded"]').count()) === 2 &&
        (await admin.locator('#new [data-status="failed"]').count()) === 1,
    );
    await look(admin, 'evaluation-first');
    await admin.goto(jobsetPath);
    await look(admin, 'jobset-evaluated');
  }, 180_000);

  it('compares a second evaluation that fixes one job and breaks another with the first', async () => {
    commitFiles(repo, { 'release.nix': release({ fixed: 'ok', broken: 'fail', steady: 'ok', added: 'ok' }) });
    await admin.goto(jobsetPath);
    await admin.getByRole('button', { name: 'Evaluate now' }).click();
    await env.reloadUntil(
      admin,
      'the second evaluation',
      async () => (await admin.locator('.fc-evaluations [data-status="succeeded"]').count()) === 2,
    );
    await admin.locator('.fc-evaluations a[href^="/eval/"]').first().click();
    await admin.waitForURL('**/eval/*');
    await env.reloadUntil(
      admin,
      'the builds of the second evaluation',
      async () =>
        (await admin.locator('#unfinished').count()) === 0 && (await admin.locator('#nowFail').count()) === 1,
    );
    const jobsOf = (group: string) => admin.locator(`#${group} td.fc-job`).allTextContents();
    expect(await jobsOf('nowFail')).toEqual(['broken']);
    expect(await jobsOf('nowSucceed')).toEqual(['fixed']);
    expect(await jobsOf('stillSucceed')).toEqual(['steady']);
    expect(await jobsOf('new')).toEqual(['added']);
    expect(await admin.locator('#errors').count()).toBe(0);
    await look(admin, 'evaluation-comparison');
    await admin.getByRole('button', { name: 'Restart failed builds' }).click();
    expect(await admin.getByRole('status').textContent()).toBe('Restarted 1 build.');

    // The jobset page: the matrix has both evaluations, the errors of the latest are gone.
    await admin.goto(jobsetPath);
    expect(await admin.locator('.fc-matrix thead th').count()).toBe(3);
    expect(await admin.locator('#latest-errors').count()).toBe(0);
    await look(admin, 'jobset-two-evaluations');
    await admin.goto('/evaluations');
    await look(admin, 'evaluations');
    await admin.goto('/');
    await look(admin, 'home');
    await admin.goto(`/search?q=${encodeURIComponent('steady')}`);
    expect(await admin.locator('#search-jobs li').count()).toBe(1);
    await look(admin, 'search');
    await admin.goto(`/search?q=${encodeURIComponent(PAYLOAD)}`);
    await look(admin, 'search-payload');
  }, 180_000);

  it('shows a read-only user no action buttons, and refuses the actions anyway', async () => {
    await env.createUser('reader', 'correct horse', ['read-only']);
    const reader = await env.newPage({ width: 390, height: 844 });
    await env.loginWithPassword(reader, 'reader', 'correct horse');
    const build = (await env.db.pool.query<{ id: string }>('SELECT min(id) AS id FROM builds')).rows[0]!.id;
    // Every page at phone width, as a read-only user: only the header's log-out form posts.
    for (const [path, name] of [
      ['/', 'home'],
      ['/projects', 'projects'],
      [`/project/${project}`, 'project'],
      [jobsetPath, 'jobset'],
      ['/evaluations', 'evaluations'],
      ['/builds', 'builds'],
      [`/build/${build}`, 'build'],
      [`/job/${project}/main/fixed`, 'job'],
      ['/queue', 'queue'],
      ['/channels', 'channels'],
      ['/search?q=steady', 'search'],
    ] as const) {
      await reader.goto(path);
      if (name === 'build')
        expect(await reader.locator('#fc-build-description').textContent()).toBe(DESCRIPTION);
      // A star is the user's own bookmark, not an action on FC: read-only users have it too.
      const actions = reader.locator('form[method="post"]:not(#fc-star)');
      expect([path, await actions.count()]).toEqual([path, 1]);
      await look(reader, `phone-${name}`);
    }
    await reader.goto(jobsetPath);
    await reader.locator('.fc-evaluations a[href^="/eval/"]').first().click();
    expect(await reader.locator('form[method="post"]').count()).toBe(1);
    await look(reader, 'evaluation-read-only-phone');
    const token = await reader.locator('input[name="_csrf"]').first().inputValue();
    const before = await env.db.pool.query('SELECT count(*)::int AS n FROM evaluations');
    const refused = await reader.request.post(`${jobsetPath}/evaluate`, {
      form: { _csrf: token },
      headers: { accept: 'text/html' },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('read-only lacks the &#34;eval-jobset&#34; permission');
    expect((await env.db.pool.query('SELECT count(*)::int AS n FROM evaluations')).rows).toEqual(before.rows);

    // A logged-in user stars a job on its page and finds it on the dashboard with its latest status.
    await reader.goto(`/job/${project}/main/fixed`);
    await reader.getByRole('button', { name: '☆ Star' }).click();
    expect(await reader.getByRole('status').textContent()).toBe('Starred fixed: it is on your dashboard.');
    await reader.goto('/');
    expect(await reader.locator('#starred td').first().textContent()).toBe('fixed');
    expect(await reader.locator('#starred .fc-status').getAttribute('data-status')).toBe('succeeded');
    await look(reader, 'home-starred-phone');
    await reader.goto(`/job/${project}/main/fixed`);
    await reader.getByRole('button', { name: '★ Unstar' }).click();
    await reader.goto('/');
    expect(await reader.locator('#starred td').count()).toBe(0);
    await reader.context().close();
  }, 60_000);

  it('answers unknown pages with the HTML error page, and logs out', async () => {
    const missing = await admin.goto('/project/no-such-project');
    expect(missing?.status()).toBe(404);
    expect(await admin.title()).toBe('Not found · FC');
    await look(admin, 'error-404');
    await admin.getByRole('button', { name: 'Log out' }).click();
    await admin.getByRole('link', { name: 'Log in' }).waitFor();
    expect((await admin.request.get('/api/v1/me')).status()).toBe(401);
    await admin.goto(jobsetPath);
    expect(await admin.getByRole('button', { name: 'Evaluate now' }).count()).toBe(0);
  }, 60_000);
});
