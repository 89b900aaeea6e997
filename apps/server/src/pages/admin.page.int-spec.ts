// The admin pages through HTTP: who may see them, system status and queues, retry of a failed job
// and of a failed notification from their forms, API keys shown once, builders and users CRUD.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { enqueueBuild } from '@fc/builds';
import { withTransaction } from '@fc/db';
import { QueueName, createBoss, sendJob } from '@fc/queue';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';

const XSS = '<script>window.pwned=1</script>';

describe('the admin pages', () => {
  let h: ApiHarness;
  let admin: string;
  let f: Fixture;

  const page = async (path: string, key = admin) => {
    const r = await h.call('GET', path, { key, headers: { accept: 'text/html' } });
    expect([path, r.status]).toEqual([path, 200]);
    return r.text();
  };
  const post = (path: string, form: Record<string, string | string[]> = {}, key = admin) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return h.call('POST', path, {
      key,
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    admin = await h.key('admin');
    f = await insertFixture(h.pool, {
      project: 'adminpages',
      builds: [
        { job: XSS, status: 'queued' },
        { job: 'notified', status: 1 },
      ],
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is for admins: others get 403, anonymous browsers go to /login', async () => {
    const readOnly = await h.key('read-only');
    for (const path of [
      '/admin',
      '/admin/keys',
      '/admin/builders',
      '/admin/users',
      '/admin/queues/build-derivation',
      '/admin/jobs?q=1',
      `/admin/queues/build-derivation/jobs/${crypto.randomUUID()}`,
    ]) {
      const r = await h.call('GET', path, { key: readOnly, headers: { accept: 'text/html' } });
      expect([path, r.status]).toEqual([path, 403]);
      const anon = await h.call('GET', path, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(anon.status).toBe(303);
      expect(anon.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    expect((await post(`/admin/notifications/1/retry`, {}, readOnly)).status).toBe(403);
  });

  it('shows the system status, the queues and a failed job with its error as text, and retries it', async () => {
    const jobId = await sendJob(
      h.boss,
      QueueName.BuildDerivation,
      { buildId: f.buildIds[0]! },
      { retryLimit: 0 },
    );
    await h.boss.fail(QueueName.BuildDerivation, jobId!, { message: `builder lost ${XSS}` });

    // A daemon that stopped is shown stopped, not silent (a silent one missed its heartbeats).
    const stopped = createBoss({ url: h.db.url, instanceName: 'fc-stopped-daemon', supervise: false });
    await stopped.start();
    await stopped.stop({ graceful: true, close: true });

    const html = await page('/admin');
    expect(html).toContain('data-daemon-state="stopped">stopped</span> fc-stopped-daemon');
    expect(html).toMatch(/data-daemon-state="alive">alive<\/span> /);
    expect(html).toMatch(/<td id="fc-nix-version">\d+\.\d+/);
    expect(html).toMatch(/<td id="fc-schema-version">\d{3,}</);
    expect(html).toMatch(/<tr data-queue="build-derivation">/);
    expect(html).toContain('1 job(s) failed in the last 24 h');
    expect(html).toContain(`action="/admin/queues/build-derivation/jobs/${jobId}/retry"`);
    expect(html).toContain(`builder lost &lt;script&gt;window.pwned=1&lt;/script&gt;`);
    expect(html).not.toContain(XSS);

    const r = await post(`/admin/queues/build-derivation/jobs/${jobId}/retry`, {
      return_to: '/admin#failed-jobs',
    });
    expect(r.status).toBe(200);
    expect(r.url).toMatch(/\/admin$/);
    const job = (await h.boss.findJobs(QueueName.BuildDerivation, { id: jobId! }))[0];
    expect(job?.state).toBe('retry');
    // Retried already: the form's second send is refused with a message, and changes nothing.
    const again = await post(`/admin/queues/build-derivation/jobs/${jobId}/retry`);
    expect(again.status).toBe(200);

    const retryJobs = await page('/admin/queues/build-derivation?state=retry');
    expect(retryJobs).toContain(`build ${f.buildIds[0]} (&lt;script&gt;`);
  });

  it('finds a job by its id or its build, shows all pg-boss keeps of it, and cancels, resumes and deletes it in FC terms', async () => {
    const g = await insertFixture(h.pool, {
      project: 'jobpage',
      builds: [{ job: 'waiting', status: 'queued' }],
    });
    const buildId = g.buildIds[0]!;
    await withTransaction(h.pool, (tx) =>
      enqueueBuild(tx, h.boss, { id: buildId, priority: 100, globalPriority: 0, jobsetId: g.jobsetId }),
    );
    const queueJobOf = async () =>
      (await h.pool.query<{ q: string }>('SELECT queue_job_id AS q FROM builds WHERE id = $1', [buildId]))
        .rows[0]!.q;
    const buildRow = async () =>
      (await h.pool.query('SELECT finished, build_status FROM builds WHERE id = $1', [buildId])).rows[0] as {
        finished: boolean;
        build_status: number | null;
      };
    const jobId = await queueJobOf();
    const url = `/admin/queues/build-derivation/jobs/${jobId}`;
    const found = async (q: string) => {
      const r = await h.call('GET', `/admin/jobs?q=${encodeURIComponent(q)}`, {
        key: admin,
        headers: { accept: 'text/html' },
        redirect: 'manual',
      });
      expect([q, r.status]).toEqual([q, 303]);
      return r.headers.get('location');
    };
    expect(await found(String(buildId))).toBe(url);
    expect(await found(`#${buildId}`)).toBe(url);
    expect(await found(jobId)).toBe(url);
    expect(await found('no-such-job')).toBe('/admin#find-job');

    let html = await page(url);
    expect(html).toContain(`<title>Job ${jobId} of build-derivation · Admin · FC</title>`);
    expect(html).toContain(`build ${buildId} (waiting) of jobpage:main</a>`);
    expect(html).toMatch(/<th scope="row">State<\/th><td>created<\/td>/);
    expect(html).toContain(`&#34;buildId&#34;: ${buildId}`);
    expect(html).toContain(`>Cancel build ${buildId}</button>`);
    expect(html).not.toContain(`${url}/delete`);
    // A waiting job is not deleted (that would strand its build): cancel it first.
    expect((await h.call('DELETE', `/api/v1${url}`, { key: admin })).status).toBe(409);

    // Cancelling a build's job cancels the build, as the build page's Cancel does.
    await post(`${url}/cancel`);
    expect(await buildRow()).toEqual({ finished: true, build_status: 4 });
    html = await page(url);
    expect(html).toMatch(/<th scope="row">State<\/th><td>cancelled<\/td>/);
    expect(html).toContain(`action="${url}/resume"`);
    expect(html).not.toContain(`${url}/cancel`);
    // Resuming it restarts the cancelled build: same build, a new job.
    await post(`${url}/resume`);
    expect(await buildRow()).toEqual({ finished: false, build_status: null });
    expect(await queueJobOf()).not.toBe(jobId);
    await post(`${url}/delete`);
    expect(await h.boss.findJobs(QueueName.BuildDerivation, { id: jobId })).toEqual([]);
    expect((await h.call('GET', url, { key: admin, headers: { accept: 'text/html' } })).status).toBe(404);

    // A failed notification's job: its error and output as text.
    const failed = (await sendJob(
      h.boss,
      QueueName.NotifyBuild,
      { buildId, event: 'finished' },
      { retryLimit: 0 },
    ))!;
    await h.boss.fail(QueueName.NotifyBuild, failed, { message: `hook said ${XSS}` });
    html = await page(`/admin/queues/notify-build/jobs/${failed}`);
    expect(html).toContain(`<pre>hook said &lt;script&gt;window.pwned=1&lt;/script&gt;</pre>`);
    expect(html).toContain('&#34;message&#34;: &#34;hook said &lt;script&gt;');
    expect(html).not.toContain(XSS);
    expect(html).toContain(`action="/admin/queues/notify-build/jobs/${failed}/retry"`);
  });

  it('retries a failed notification from its form', async () => {
    const d = await h.pool.query<{ id: string }>(
      `INSERT INTO notification_deliveries (build_id, kind, target, build_stopped_at, status, attempts, last_error)
       SELECT id, 'webhook', 'https://hooks.example/x', stopped_at, 'failed', 6, $2 FROM builds WHERE id = $1 RETURNING id`,
      [f.buildIds[1], `HTTP 500 ${XSS}`],
    );
    const id = Number(d.rows[0]!.id);
    const html = await page('/admin');
    expect(html).toContain(`action="/admin/notifications/${id}/retry"`);
    expect(html).not.toContain(XSS);
    expect((await post(`/admin/notifications/${id}/retry`)).status).toBe(200);
    const row = await h.pool.query('SELECT status FROM notification_deliveries WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ status: 'pending' });
    expect(await page('/admin')).not.toContain(`action="/admin/notifications/${id}/retry"`);
  });

  it('creates an API key shown once, and revokes it', async () => {
    const created = await post('/admin/keys', { name: `ci ${XSS}`, role: 'eval-jobset' });
    expect(created.status).toBe(200);
    const html = await created.text();
    const key = /<pre id="fc-new-key">([^<]+)<\/pre>/.exec(html)?.[1];
    expect(key).toBeDefined();
    expect(html).not.toContain(XSS);
    const me = await h.call('GET', '/api/v1/me', { key: key! });
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(['eval-jobset']);
    // Not on the list afterwards: only its prefix.
    const list = await page('/admin/keys');
    expect(list).not.toContain(key!);
    const keyId =
      /action="\/admin\/keys\/(\d+)\/revoke" class="fc-inline-form" data-confirm="Revoke the key ci/.exec(
        list,
      )?.[1];
    expect((await post(`/admin/keys/${keyId}/revoke`)).status).toBe(200);
    expect((await h.call('GET', '/api/v1/me', { key: key! })).status).toBe(401);
  });

  it('adds, edits, disables and removes a remote builder', async () => {
    await post('/admin/builders', {
      name: 'big',
      uri: 'ssh://nix@big.example',
      systems: 'x86_64-linux aarch64-linux',
      max_jobs: '4',
    });
    let html = await page('/admin/builders');
    expect(html).toContain('<code>ssh://nix@big.example</code>');
    expect(html).toContain('x86_64-linux, aarch64-linux');
    const id = /action="\/admin\/builders\/(\d+)\/enabled"/.exec(html)![1];
    await post(`/admin/builders/${id}/enabled`, { enabled: 'false' });
    expect(await page('/admin/builders')).toContain('<td>disabled</td>');
    // Edited through its form: every field, the state kept; what was typed stays text.
    await post(`/admin/builders/${id}`, {
      name: `big ${XSS}`,
      uri: 'ssh://nix@bigger.example',
      systems: 'x86_64-linux',
      max_jobs: '8',
      speed_factor: '2',
      supported_features: 'kvm',
      mandatory_features: '',
      ssh_key_file: '/var/lib/fc/key',
    });
    expect(
      (await h.pool.query('SELECT name, uri, systems, max_jobs, enabled FROM remote_builders')).rows,
    ).toEqual([
      {
        name: `big ${XSS}`,
        uri: 'ssh://nix@bigger.example',
        systems: ['x86_64-linux'],
        max_jobs: 8,
        enabled: false,
      },
    ]);
    html = await page('/admin/builders');
    expect(html).not.toContain(XSS);
    expect(html).toContain('value="ssh://nix@bigger.example"');
    await post(`/admin/builders/${id}`, {
      name: 'big',
      uri: 'ssh://nix@big.example',
      systems: 'x86_64-linux aarch64-linux',
    });
    // A second builder with the same name is refused (back to the form) and adds nothing.
    const dup = await post('/admin/builders', { name: 'big', uri: 'ssh://other', systems: 'x86_64-linux' });
    expect(dup.url).toMatch(/\/admin\/builders$/);
    expect((await h.pool.query('SELECT uri FROM remote_builders')).rows).toEqual([
      { uri: 'ssh://nix@big.example' },
    ]);
    await post(`/admin/builders/${id}/delete`);
    html = await page('/admin/builders');
    expect(html).not.toContain('ssh://nix@big.example');
  });

  it('creates a user with roles, edits the user and the roles, and deletes the user', async () => {
    await post('/admin/users', {
      username: 'alice',
      password: 'a long enough password',
      roles: ['cancel-build', 'bump-to-front'],
    });
    let html = await page('/admin/users');
    const id = /action="\/admin\/users\/(\d+)\/roles"/.exec(html)![1];
    expect(html).toMatch(/value="cancel-build" checked/);
    await post(`/admin/users/${id}/roles`, { roles: 'admin' });
    const users = await (await h.call('GET', '/api/v1/users', { key: admin })).json();
    expect(users).toMatchObject({ items: [{ username: 'alice', roles: ['admin'] }] });
    // Edited: name and email, and a new password that is the one that logs in from then on.
    await post(`/admin/users/${id}`, {
      full_name: `Alice ${XSS}`,
      email: 'alice@example.org',
      password: 'another long password',
    });
    html = await page('/admin/users');
    expect(html).not.toContain(XSS);
    expect(html).toContain('<strong>alice</strong> Alice &lt;script&gt;');
    const login = (password: string) =>
      h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password } });
    expect((await login('a long enough password')).status).toBe(401);
    expect((await login('another long password')).status).toBe(200);
    // An empty password field keeps the password.
    await post(`/admin/users/${id}`, { full_name: 'Alice', email: '', password: '' });
    expect((await login('another long password')).status).toBe(200);
    expect(await (await h.call('GET', '/api/v1/users', { key: admin })).json()).toMatchObject({
      items: [{ username: 'alice', full_name: 'Alice', email: null }],
    });
    await post(`/admin/users/${id}/delete`);
    html = await page('/admin/users');
    expect(html).not.toContain('<strong>alice</strong>');
  });
});
