// The build, queue, job and admin pages in Debian's Chromium against the built fc-server and
// fc-queue-runner, real Nix and PostgreSQL: a build watched from queued to succeeded with its log
// arriving live and no reload, a running build cancelled from its page, a product downloaded, a
// failed job retried from the admin page, a read-only user who sees no buttons, and stored markup
// (job names, log lines, errors) that stays text. A screenshot of each page is kept.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { createBoss, QueueName, sendJob, type Boss } from '@fc/queue';
import { startDashboardEnv, type DashboardEnv } from '../testing/browser-harness';
import { createLiveJobset, queueLiveBuild, randomNonce, type LiveJobset } from '../testing/real-builds';

jest.setTimeout(240_000);

const XSS_JOB = '<img src=x onerror="window.pwned=1">';
const XSS_TEXT = '<script>window.pwned=1</script>';

interface ApiBuild {
  status: string;
  finished: boolean;
}

describe('build and admin pages in a browser', () => {
  let env: DashboardEnv;
  let boss: Boss;
  let jobset: LiveJobset;
  let admin: Page;
  const dialogs: string[] = [];

  async function build(id: number): Promise<ApiBuild> {
    return (await (await fetch(`${env.url}/api/v1/builds/${id}`)).json()) as ApiBuild;
  }
  async function waitForBuild(id: number, check: (b: ApiBuild) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (!check(await build(id))) {
      if (Date.now() > deadline) throw new Error(`build ${id}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const badge = (page: Page) => page.locator('#fc-build-status .fc-status');
  /** After a form's redirect: the page it lands on says `text` (and nothing else). */
  async function expectFlash(page: Page, text: string): Promise<void> {
    await page.waitForLoadState('load');
    await page
      .locator('.fc-flash')
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(() => undefined);
    expect({
      flash: await page.locator('.fc-flash').allTextContents(),
      where: `${page.url()} ${await page.title()}`,
    }).toEqual({ flash: [text], where: expect.any(String) });
  }
  /** No script from stored text ran: no dialog, no global it would set. */
  async function expectInert(page: Page): Promise<void> {
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  }

  beforeAll(async () => {
    env = await startDashboardEnv({ name: 'build-admin', queueRunner: true });
    boss = createBoss({ url: env.db.url, supervise: false });
    await boss.start();
    jobset = await createLiveJobset(env.db.pool, 'live');
    admin = await env.newPage();
    admin.on('dialog', (d) => {
      if (d.type() !== 'confirm') dialogs.push(d.message());
    });
    await env.loginWithKey(admin, await env.key('admin'));
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
    await env?.stop();
  });

  let sleepers: number[] = [];

  it('shows a build go from queued to succeeded with its log arriving live, without a reload', async () => {
    // Both of the runner's workers busy: the next build waits in the queue.
    sleepers = [
      await queueLiveBuild(env.db.pool, boss, jobset, 'sleeper', { nonce: randomNonce(), job: XSS_JOB }),
      await queueLiveBuild(env.db.pool, boss, jobset, 'sleeper', { nonce: randomNonce(), job: 'sleeper' }),
    ];
    for (const id of sleepers) await waitForBuild(id, (b) => b.status === 'running', 'running');
    const marker = `LIVE${randomNonce()}`;
    const slow = await queueLiveBuild(env.db.pool, boss, jobset, 'slow', { nonce: randomNonce(), marker });

    const watcher = await env.newPage();
    await watcher.goto(`/build/${slow}`);
    expect(await badge(watcher).getAttribute('data-status')).toBe('queued');
    await watcher.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
    await env.look(watcher, 'build-queued');

    // Cancel the first sleeper from its page: its worker takes the waiting build.
    await admin.goto(`/build/${sleepers[0]}`);
    await env.look(admin, 'build-running');
    await admin.getByRole('button', { name: 'Cancel' }).click();
    await expectFlash(admin, `Build ${sleepers[0]} cancelled.`);
    expect(await badge(admin).getAttribute('data-status')).toBe('cancelled');
    await expectInert(admin);
    await env.look(admin, 'build-cancelled');

    // The watcher's page follows: running with the first lines, then succeeded with every line.
    await watcher.locator('#fc-log', { hasText: `${marker}-1` }).waitFor({ timeout: 60_000 });
    expect(await badge(watcher).getAttribute('data-status')).toBe('running');
    expect(await watcher.locator('#fc-log').textContent()).not.toContain(`${marker}-4`);
    await env.look(watcher, 'build-log-live');
    await watcher
      .locator('#fc-build-status .fc-status[data-status="succeeded"]')
      .waitFor({ timeout: 60_000 });
    expect(await badge(watcher).textContent()).toBe('Succeeded');
    const log = (await watcher.locator('#fc-log').textContent()) ?? '';
    for (const n of [1, 2, 3, 4]) expect(log.split(`${marker}-${n}\n`)).toHaveLength(2);
    expect(
      await watcher.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    expect(await watcher.locator('#fc-build-stopped').textContent()).toMatch(/UTC$/);
    await env.look(watcher, 'build-succeeded');
    await watcher.context().close();
  });

  it('downloads a build product and keeps stored markup inert on the build page', async () => {
    const id = await queueLiveBuild(env.db.pool, boss, jobset, 'withProducts', {
      nonce: randomNonce(),
      marker: XSS_TEXT,
      job: XSS_JOB,
    });
    await waitForBuild(id, (b) => b.finished, 'the end');
    await admin.goto(`/build/${id}`);
    await expectInert(admin);
    expect(await admin.locator('h1 + p').textContent()).toContain(XSS_JOB);
    // A product named with markup is a link with that text; so is a metric's name.
    expect(
      await admin.getByRole('link', { name: `${XSS_TEXT.replace('/', '_')}.txt`, exact: true }).count(),
    ).toBe(1);
    expect(await admin.getByRole('cell', { name: XSS_TEXT.replace('/', '_'), exact: true }).count()).toBe(1);
    expect(await admin.locator('#fc-log').textContent()).toContain(`writing the ${XSS_TEXT} products`);
    await env.look(admin, 'build-products');
    await admin.getByRole('link', { name: 'notes.txt' }).click();
    await admin.waitForURL(`**/build/${id}/download/2/notes.txt`);
    expect(await admin.locator('body').textContent()).toBe(`plain text ${XSS_TEXT}\n`);
    await admin.goto(`/build/${id}`);
    await admin.getByRole('link', { name: 'report.html' }).click();
    await admin.waitForURL(`**/build/${id}/download/1/report.html`);
    await expectInert(admin);

    // The README's picture of the build page (docs/build-page.png): products, metrics, steps, log.
    const shown = await queueLiveBuild(env.db.pool, boss, jobset, 'withProducts', {
      nonce: randomNonce(),
      marker: 'coverage',
    });
    await waitForBuild(shown, (b) => b.finished, 'the end');
    await admin.goto(`/build/${shown}`);
    await env.look(admin, 'build-page-readme');
  });

  it('retries a failed job from the admin queue page', async () => {
    const jobId = await sendJob(
      boss,
      QueueName.NotifyBuild,
      { buildId: sleepers[0]!, event: 'finished' },
      {
        retryLimit: 0,
      },
    );
    await boss.fail(QueueName.NotifyBuild, jobId!, { message: `webhook said ${XSS_TEXT}` });
    await admin.goto('/admin');
    // The running queue runner works the build queue (it claims builds with its own fetch loop).
    expect(
      await admin.locator('#fc-queues tr[data-queue="build-derivation"] td').last().textContent(),
    ).toMatch(/^fc-queue-runner on \S+ \(pid \d+\)$/);
    const row = admin.locator('#failed-jobs tr', { hasText: jobId! });
    await row.waitFor();
    expect(await row.textContent()).toContain(`webhook said ${XSS_TEXT}`);
    await expectInert(admin);
    await env.look(admin, 'admin');
    await row.getByRole('button', { name: 'Retry' }).click();
    await expectFlash(admin, `Job ${jobId} of notify-build will run again.`);
    const [job] = await boss.findJobs(QueueName.NotifyBuild, { id: jobId! });
    expect(['retry', 'active', 'completed']).toContain(job?.state);
    // The job's own page (data, output, actions), and the search box finding a build's job.
    await admin.goto('/admin');
    await admin
      .getByLabel('Find a job by its id, or the job of a build by its number')
      .fill(String(sleepers[1]));
    await admin.getByRole('button', { name: 'Find' }).click();
    await admin.waitForURL('**/admin/queues/build-derivation/jobs/*');
    expect(await admin.locator('#fc-job-about').textContent()).toContain(`build ${sleepers[1]} (sleeper)`);
    expect(await admin.locator('#fc-job-about .fc-status').getAttribute('data-status')).toBe('running');
    expect(await admin.getByRole('button', { name: `Cancel build ${sleepers[1]}` }).count()).toBe(1);
    expect(await admin.locator('#fc-job-data pre').textContent()).toBe(
      JSON.stringify({ buildId: sleepers[1] }, null, 2),
    );
    await env.look(admin, 'admin-job');
    // A remote builder added and edited through the forms.
    await admin.goto('/admin/builders');
    await admin.getByLabel('Name').fill('big');
    await admin.getByLabel('URI').fill('ssh://nix@big.example');
    await admin.getByLabel('Systems').fill('x86_64-linux');
    await admin.getByRole('button', { name: 'Add builder' }).click();
    await expectFlash(admin, 'Remote builder big added.');
    await admin.getByText('Edit big').click();
    await admin.locator('#edit-builder-1').getByLabel('Max jobs').fill('6');
    await admin.getByRole('button', { name: 'Save big' }).click();
    await expectFlash(admin, 'Remote builder big saved.');
    expect(await admin.locator('#fc-builders tbody td').nth(3).textContent()).toBe('6');
    await env.createUser('ops', 'correct horse battery', ['cancel-build']);
    for (const section of ['keys', 'builders', 'users']) {
      await admin.goto(`/admin/${section}`);
      // The first edit form open, so the screenshot shows it.
      if (section !== 'keys') await admin.locator('details.fc-edit summary').first().click();
      await env.look(admin, `admin-${section}`);
    }
    await admin.goto('/admin/queues/notify-build?state=completed');
    await env.look(admin, 'admin-queue');
  });

  it('lists the queue, the builds, the job and the channels', async () => {
    await admin.goto('/queue');
    expect(await admin.locator('#running').textContent()).toContain(`#${sleepers[1]}`);
    await env.look(admin, 'queue');
    await admin.goto('/builds?status=succeeded');
    await env.look(admin, 'builds');
    await admin.goto('/job/live/main/slow');
    await admin.locator('#fc-job-chart[data-ready="1"]').waitFor({ state: 'attached' });
    await env.look(admin, 'job');
    await admin.goto('/channels');
    await env.look(admin, 'channels');
    await expectInert(admin);
  });

  it('shows a read-only user no action buttons, and no admin pages', async () => {
    const reader = await env.newPage();
    await env.loginWithKey(reader, await env.key('read-only'));
    await reader.goto(`/build/${sleepers[1]}`);
    expect(await badge(reader).getAttribute('data-status')).toBe('running');
    expect(await reader.locator('.fc-actions').count()).toBe(0);
    expect(await reader.locator('form[action^="/build/"]').count()).toBe(0);
    await env.look(reader, 'build-read-only');
    await reader.goto('/channels');
    expect(await reader.locator('form[action*="/promote"]').count()).toBe(0);
    const res = await reader.goto('/admin');
    expect(res?.status()).toBe(403);
    expect(await reader.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await reader.context().close();
    // The last sleeper goes too, with its evaluation's cancel: Hydra's takes running builds as well.
    await admin.goto(`/eval/${jobset.evaluationId}`);
    await admin.getByRole('button', { name: 'Cancel queued and running builds' }).click();
    await expectFlash(admin, 'Cancelled 1 build.');
    await waitForBuild(sleepers[1]!, (b) => b.status === 'cancelled', 'cancelled');
    await admin.goto(`/build/${sleepers[1]}`);
    expect(await badge(admin).getAttribute('data-status')).toBe('cancelled');
  });

  it('lays out every admin page at phone width', async () => {
    const phone = await env.newPage({ width: 390, height: 844 });
    await env.loginWithKey(phone, await env.key('admin'));
    for (const path of [
      '/admin',
      '/admin/queues/notify-build?state=completed',
      '/admin/keys',
      '/admin/builders',
      '/admin/users',
    ]) {
      await phone.goto(path);
      await env.look(phone, `phone${path.replace(/[/?=]+/g, '-')}`);
    }
    await phone.context().close();
  });
});
