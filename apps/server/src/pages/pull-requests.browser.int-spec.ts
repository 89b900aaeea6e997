// The project page's pull requests in Debian's Chromium, against the built fc-server, fc-evaluator
// and fc-queue-runner with real Nix: GitHub's pull_request deliveries (signed) for a same-repository
// pull request, built at once, and an untrusted author's fork, waiting. A read-only user sees both
// with their trust and no button; an admin approves the fork with the button (a CSRF-protected form:
// the same POST without the token is refused), and it is built; the project's edit form sets the
// pull-request settings. A screenshot of each page is kept.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startDashboardEnv, type DashboardEnv } from '../testing/browser-harness';
import { deliver, pullRequestPayload, type FakePullRequest } from '@fc/testing';
import { commitOn, forkRepository, initRepository, releaseNix } from '../testing/pull-request-env';

jest.setTimeout(240_000);

const SECRET = 'browser-pr-secret';

describe('pull requests on the project page', () => {
  let env: DashboardEnv;
  let adminKey: string;
  let projectId: number;
  let work: string;
  let repo: string;
  let fork: string;
  let forkPr: FakePullRequest;
  let ownPr: FakePullRequest;

  const row = (page: Page, n: number) => page.locator(`#pull-requests tr[data-pull-request="${n}"]`);

  async function api(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${env.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  beforeAll(async () => {
    env = await startDashboardEnv({ name: 'pull-requests', evaluator: true, queueRunner: true });
    adminKey = await env.key('admin');
    work = mkdtempSync(join(tmpdir(), 'fc-pr-pages-'));
    repo = join(work, 'app');
    initRepository(repo, { 'release.nix': releaseNix(randomUUID()), message: 'main' });
    fork = join(work, 'fork');
    forkRepository(repo, fork);
    const created = await api('POST', '/api/v1/projects', {
      name: 'app',
      repository_url: `file://${repo}`,
      github_webhook_secret: SECRET,
      build_pull_requests: true,
    });
    expect(created.status).toBe(201);
    projectId = ((await created.json()) as { id: number }).id;
    const jobset = await api('POST', `/api/v1/projects/${projectId}/jobsets`, {
      name: 'main',
      nix_expression: 'release.nix',
      check_interval: 0,
    });
    expect(jobset.status).toBe(201);
    const common = { base: 'acme/app', baseCloneUrl: `file://${repo}` };
    ownPr = {
      ...common,
      number: 4,
      title: 'A change from the team',
      author: 'bob',
      head: 'acme/app',
      headCloneUrl: `file://${repo}`,
      branch: 'team-change',
      sha: commitOn(repo, 'team-change', { message: 'from the team' }),
    };
    forkPr = {
      ...common,
      number: 3,
      title: 'An idea from outside <b>bold</b>',
      author: 'mallory',
      head: 'mallory/app',
      headCloneUrl: `file://${fork}`,
      branch: 'idea',
      sha: commitOn(fork, 'idea', { message: 'from a fork' }),
    };
    for (const [pr, action] of [
      [forkPr, 'await-approval'],
      [ownPr, 'build'],
    ] as const) {
      const r = await deliver(
        env.url,
        projectId,
        'github',
        'pull_request',
        pullRequestPayload('github', 'opened', pr),
        SECRET,
      );
      expect(r.body).toMatchObject({ pull_request: { number: pr.number, action } });
    }
  });

  afterAll(async () => {
    await env?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows a read-only user each pull request with its head, trust and jobset, and no approve button', async () => {
    await env.createUser('reader', 'reader password', ['read-only']);
    const page = await env.newPage();
    await env.loginWithPassword(page, 'reader', 'reader password');
    await page.goto('/project/app');
    await env.reloadUntil(page, 'pr-4 built', async () =>
      /Succeeded 2 \/ 0 \/ 0/.test((await row(page, 4).textContent()) ?? ''),
    );
    const cells = async (n: number) =>
      (await row(page, n).locator('td').allInnerTexts()).map((t) => t.trim());
    expect(await cells(3)).toEqual([
      '#3',
      'An idea from outside <b>bold</b>',
      'mallory',
      `idea @ ${forkPr.sha.slice(0, 12)}\nfrom file://${fork}`,
      'waiting for approval',
      '—',
      'not evaluated',
    ]);
    const own = await cells(4);
    expect(own.slice(0, 6)).toEqual([
      '#4',
      'A change from the team',
      'bob',
      `team-change @ ${ownPr.sha.slice(0, 12)}`,
      'trusted',
      'pr-4',
    ]);
    expect(own[6]).toMatch(/^#\d+ Succeeded 2 \/ 0 \/ 0/);
    expect(await page.locator('[data-approve]').count()).toBe(0);
    expect(await page.locator('#edit-project').count()).toBe(0);
    await env.look(page, 'project-pull-requests-read-only');
  });

  it('lets an admin approve the fork with the button, and the approval is CSRF-protected', async () => {
    const page = await env.newPage();
    await env.loginWithKey(page, adminKey);
    // The form's POST without its CSRF token is refused, and approves nothing.
    const forged = await page.request.post('/project/app/pull-requests/3/approve', {
      form: {},
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const stillWaiting = await api('GET', `/api/v1/projects/${projectId}/pull-requests`);
    expect(((await stillWaiting.json()) as { items: unknown[] }).items).toContainEqual(
      expect.objectContaining({ number: 3, waiting_for_approval: true }),
    );

    await page.goto('/project/app');
    await env.look(page, 'project-pull-requests-waiting');
    await row(page, 3).getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.fc-flash').allTextContents()).toEqual([
      `Pull request #3 approved: evaluating pr-3 at ${forkPr.sha}.`,
    ]);
    expect(await row(page, 3).locator('td').nth(4).innerText()).toBe('approved');
    expect(await row(page, 3).getByRole('link', { name: 'pr-3' }).count()).toBe(1);
    expect(await page.locator('[data-approve]').count()).toBe(0);
    await env.reloadUntil(page, 'pr-3 built at the fork’s head', async () =>
      /Succeeded 2 \/ 0 \/ 0/.test((await row(page, 3).textContent()) ?? ''),
    );
    await env.look(page, 'project-pull-requests-approved');
  });

  it('sets the pull-request settings in the project’s edit form', async () => {
    const page = await env.newPage();
    await env.loginWithKey(page, adminKey);
    await page.goto('/project/app');
    const form = page.locator('#edit-project');
    await form.getByLabel('Trusted users').fill('alice, carol alice');
    await form.getByLabel('Commit statuses').selectOption('summary');
    await form.getByLabel('Template jobset').fill('main');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.fc-flash').allTextContents()).toEqual(['Project app saved.']);
    const saved = (await (await api('GET', `/api/v1/projects/${projectId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(saved).toMatchObject({
      build_pull_requests: true,
      pull_request_template_jobset: 'main',
      pull_request_trusted_users: ['alice', 'carol'],
      pull_request_statuses: 'summary',
    });
    expect(await form.getByLabel('Trusted users').inputValue()).toBe('alice, carol');
    await env.look(page, 'project-edit');

    // A bad value goes back to the form with the error, and changes nothing.
    await form.getByLabel('Template jobset').fill('no/such');
    await form.getByLabel('Build pull requests').uncheck();
    // Past the browser's own check of the field's pattern, to the server's.
    await form.evaluate((f: { setAttribute(name: string, value: string): void }) =>
      f.setAttribute('novalidate', ''),
    );
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    const flash = await page.locator('.fc-flash').allTextContents();
    expect(flash).toHaveLength(1);
    expect(flash[0]).toContain('pull_request_template_jobset');
    const unchanged = (await (await api('GET', `/api/v1/projects/${projectId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(unchanged).toMatchObject({ build_pull_requests: true, pull_request_template_jobset: 'main' });
  });
});
