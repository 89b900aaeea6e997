/* eslint-disable @typescript-eslint/no-explicit-any */
// GitHub and Gitea push webhooks through HTTP against a real database and pg-boss: the HMAC, which
// jobsets a push triggers (repository and branch of the project or of a git input, default branch
// for jobsets without one), and events that are not pushes.
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
let admin: string;
let projectId: number;
const ids: Record<string, number> = {};

async function body(r: Response): Promise<any> {
  return r.json();
}

let pushes = 0;

/** A push of a new commit each time (a body received before would be a replay). */
function pushPayload(ref: string, extra: Record<string, unknown> = {}): string {
  pushes++;
  return JSON.stringify({
    ref,
    before: '0'.repeat(40),
    after: pushes.toString(16).padStart(40, 'a'),
    repository: {
      full_name: 'acme/app',
      default_branch: 'main',
      clone_url: 'https://github.com/acme/app.git',
      ssh_url: 'git@github.com:acme/app.git',
      html_url: 'https://github.com/acme/app',
    },
    ...extra,
  });
}

const githubSig = (payload: string, secret = 'gh-secret') =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
const giteaSig = (payload: string, secret = 'gt-secret') =>
  createHmac('sha256', secret).update(payload).digest('hex');

async function github(payload: string, headers: Record<string, string> = {}, project = projectId) {
  return h.call('POST', `/api/v1/webhooks/${project}/github`, {
    body: payload,
    headers: { 'x-hub-signature-256': githubSig(payload), 'x-github-event': 'push', ...headers },
  });
}

/** The jobsets with a queued evaluate-jobset job requested by a webhook. */
async function queuedByWebhook(): Promise<number[]> {
  const r = await h.pool.query<{ id: number }>(
    `SELECT DISTINCT (data->>'jobsetId')::int AS id FROM pgboss.job
     WHERE name = 'evaluate-jobset' AND data->>'reason' = 'webhook' ORDER BY 1`,
  );
  return r.rows.map((row) => row.id);
}

async function clearQueue(): Promise<void> {
  await h.pool.query(`DELETE FROM pgboss.job WHERE name = 'evaluate-jobset'`);
}

async function jobset(name: string, fields: Record<string, unknown>): Promise<void> {
  const r = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
    key: admin,
    body: { name, nix_expression: 'release.nix', ...fields },
  });
  expect(r.status).toBe(201);
  ids[name] = (await body(r)).id;
}

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
  const p = await h.call('POST', '/api/v1/projects', {
    key: admin,
    body: {
      name: 'hooked',
      repository_url: 'https://github.com/Acme/app',
      github_webhook_secret: 'gh-secret',
      gitea_webhook_secret: 'gt-secret',
    },
  });
  const project = await body(p);
  // The secrets are write-only.
  expect(project.has_github_webhook_secret).toBe(true);
  expect(project).not.toHaveProperty('github_webhook_secret');
  projectId = project.id;
  // Follows the default branch of the project's repository.
  await jobset('default', {});
  await jobset('release', { branch: 'release' });
  // The expression lives in a git input: the project's repository is not fetched.
  await jobset('in-input', {
    nix_expression_input: 'src',
    inputs: [{ name: 'src', type: 'git', value: 'ssh://git@github.com/acme/app.git', branch: 'main' }],
  });
  await jobset('other-repo', {
    nix_expression_input: 'src',
    inputs: [{ name: 'src', type: 'git', value: 'https://github.com/acme/other', branch: 'main' }],
  });
  // Expression in another repository, but it also fetches acme/app's release branch as an input.
  await jobset('input-release', {
    nix_expression_input: 'src',
    inputs: [
      { name: 'src', type: 'git', value: 'https://github.com/acme/other' },
      { name: 'app', type: 'git', value: 'https://github.com/acme/app.git', branch: 'release' },
    ],
  });
  await jobset('disabled', { state: 'disabled' });
});

afterAll(async () => {
  await h.close();
});

describe('push webhooks', () => {
  it('a push to the default branch triggers the jobsets that follow it, and answers with them', async () => {
    await clearQueue();
    const r = await github(pushPayload('refs/heads/main'));
    expect(r.status).toBe(202);
    const b = await body(r);
    expect(b).toEqual({
      event: 'push',
      ref: 'refs/heads/main',
      jobset_ids: [ids['default'], ids['in-input']],
      jobsets: [
        { id: ids['default'], name: 'default' },
        { id: ids['in-input'], name: 'in-input' },
      ],
      message: 'evaluating 2 jobset(s) for main',
    });
    expect(await queuedByWebhook()).toEqual([ids['default'], ids['in-input']].sort((x, y) => x! - y!));
  });

  it('a push to another branch triggers the jobsets and inputs that name that branch', async () => {
    await clearQueue();
    const b = await body(await github(pushPayload('refs/heads/release')));
    expect(b.jobset_ids).toEqual([ids['release'], ids['input-release']]);
    expect(await queuedByWebhook()).toEqual([ids['release'], ids['input-release']]);
  });

  it('follows a changed default branch: a jobset without a branch matches the payload’s default_branch', async () => {
    await clearQueue();
    const payload = JSON.parse(pushPayload('refs/heads/trunk')) as { repository: Record<string, unknown> };
    payload.repository['default_branch'] = 'trunk';
    const b = await body(await github(JSON.stringify(payload)));
    expect(b.jobset_ids).toEqual([ids['default']]);
  });

  it('a push to a branch nobody follows, a tag push and a deleted branch trigger nothing (202)', async () => {
    await clearQueue();
    const feature = await github(pushPayload('refs/heads/feature'));
    expect(feature.status).toBe(202);
    expect(await body(feature)).toMatchObject({
      jobset_ids: [],
      message: 'no enabled jobset fetches acme/app on branch feature',
    });
    const tag = await body(await github(pushPayload('refs/tags/v1.0')));
    expect(tag).toMatchObject({ jobset_ids: [], ref: 'refs/tags/v1.0' });
    expect(tag.message).toMatch(/only branch pushes/);
    const deleted = await body(await github(pushPayload('refs/heads/main', { deleted: true })));
    expect(deleted).toMatchObject({
      jobset_ids: [],
      message: 'branch main was deleted: nothing to evaluate',
    });
    expect(await queuedByWebhook()).toEqual([]);
  });

  it('a push of another repository to the same project triggers only jobsets fetching that one', async () => {
    await clearQueue();
    const payload = JSON.parse(pushPayload('refs/heads/main')) as { repository: Record<string, unknown> };
    payload.repository = {
      full_name: 'acme/other',
      default_branch: 'main',
      clone_url: 'https://github.com/acme/other.git',
    };
    const b = await body(await github(JSON.stringify(payload)));
    // other-repo follows main; input-release's src has no branch, so it follows the default (main).
    expect(b.jobset_ids).toEqual([ids['other-repo'], ids['input-release']]);
  });

  it('other events are acknowledged with 200 and ignored', async () => {
    await clearQueue();
    const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
    const r = await github(ping, { 'x-github-event': 'ping' });
    expect(r.status).toBe(200);
    expect(await body(r)).toEqual({
      event: 'ping',
      ref: null,
      jobset_ids: [],
      jobsets: [],
      message:
        "ignored: only push, pull_request and issue_comment events trigger evaluations, this was 'ping'",
    });
    expect(await queuedByWebhook()).toEqual([]);
  });

  it('a signed push without ref or repository is a 400', async () => {
    const r = await github(JSON.stringify({ zen: 'x' }));
    expect(r.status).toBe(400);
    expect((await body(r)).error.code).toBe('invalid_request');
  });

  it('a signed payload with a field PostgreSQL cannot store is a 400 naming it; larger ids elsewhere are fine', async () => {
    const nul = await github(pushPayload('refs/heads/ma\u0000in'));
    expect(nul.status).toBe(400);
    expect((await body(nul)).error).toMatchObject({
      code: 'invalid_request',
      message: 'the push payload: ref must not contain NUL characters',
    });
    const pullRequest = (number: number, title: string) =>
      JSON.stringify({
        action: 'opened',
        number,
        pull_request: {
          number,
          title,
          user: { login: 'mallory' },
          head: { ref: 'x', sha: 'a'.repeat(40), repo: { clone_url: 'https://github.com/m/app.git' } },
          base: { repo: { full_name: 'acme/app' } },
        },
      });
    const big = await github(pullRequest(99_999_999_999, 'fix\u0000'), { 'x-github-event': 'pull_request' });
    expect(big.status).toBe(400);
    expect((await body(big)).error.details.fields).toEqual([
      { field: 'number', in: 'body', message: 'must be between -2147483648 and 2147483647' },
      { field: 'pull_request.number', in: 'body', message: 'must be between -2147483648 and 2147483647' },
      { field: 'pull_request.title', in: 'body', message: 'must not contain NUL characters' },
    ]);
    const comment = JSON.stringify({
      action: 'created',
      issue: { number: 1, pull_request: { url: 'x' } },
      comment: { body: '/fc approve\u0000', user: { login: 'mallory' } },
    });
    const nulComment = await github(comment, { 'x-github-event': 'issue_comment' });
    expect(nulComment.status).toBe(400);
    expect((await body(nulComment)).error.message).toBe(
      'the issue_comment payload: comment.body must not contain NUL characters',
    );
    // A forge's own ids, which FC does not keep, may pass 32 bits.
    const ids = await github(
      pushPayload('refs/heads/main', {
        installation: { id: 99_999_999_999 },
        sender: { id: 99_999_999_999 },
      }),
    );
    expect(ids.status).toBe(202);
  });

  it('refuses a bad or missing signature (401), a forge without a secret (403), an unknown project (404)', async () => {
    await clearQueue();
    const payload = pushPayload('refs/heads/main');
    expect((await github(payload, { 'x-hub-signature-256': 'sha256=00' })).status).toBe(401);
    expect((await github(payload, { 'x-hub-signature-256': githubSig(payload, 'wrong') })).status).toBe(401);
    const unsigned = await h.call('POST', `/api/v1/webhooks/${projectId}/github`, {
      body: payload,
      headers: { 'x-github-event': 'push' },
    });
    expect(unsigned.status).toBe(401);
    // The signature is checked before the event: an unsigned ping is refused too.
    expect(
      (await github('{}', { 'x-github-event': 'ping', 'x-hub-signature-256': 'sha256=00' })).status,
    ).toBe(401);
    const bare = await body(
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'bare', repository_url: 'https://github.com/acme/app' },
      }),
    );
    expect((await github(payload, {}, Number(bare.id))).status).toBe(403);
    expect((await github(payload, {}, 999999)).status).toBe(404);
    expect(await queuedByWebhook()).toEqual([]);
  });

  it('Gitea: signed with the hex HMAC in X-Gitea-Signature, event in X-Gitea-Event', async () => {
    await clearQueue();
    const payload = JSON.stringify({
      ref: 'refs/heads/release',
      repository: {
        full_name: 'acme/app',
        default_branch: 'main',
        clone_url: 'https://github.com/acme/app.git',
      },
    });
    const push = await h.call('POST', `/api/v1/webhooks/${projectId}/gitea`, {
      body: payload,
      headers: { 'x-gitea-signature': giteaSig(payload), 'x-gitea-event': 'push' },
    });
    expect(push.status).toBe(202);
    expect((await body(push)).jobset_ids).toEqual([ids['release'], ids['input-release']]);
    const bad = await h.call('POST', `/api/v1/webhooks/${projectId}/gitea`, {
      body: payload,
      headers: { 'x-gitea-signature': giteaSig(payload, 'gh-secret'), 'x-gitea-event': 'push' },
    });
    expect(bad.status).toBe(401);
    const issue = await h.call('POST', `/api/v1/webhooks/${projectId}/gitea`, {
      body: '{"action":"opened"}',
      headers: { 'x-gitea-signature': giteaSig('{"action":"opened"}'), 'x-gitea-event': 'issues' },
    });
    expect(issue.status).toBe(200);
    expect((await body(issue)).message).toMatch(/ignored/);
  });
});

describe('replays and bodies that are not JSON', () => {
  it('a replayed delivery is a 409 naming it and triggers nothing, even with a new delivery id', async () => {
    await clearQueue();
    const payload = pushPayload('refs/heads/main');
    const first = await github(payload, { 'x-github-delivery': 'd-1' });
    expect(first.status).toBe(202);
    expect(await queuedByWebhook()).not.toEqual([]);
    await clearQueue();
    const again = await github(payload, { 'x-github-delivery': 'd-1' });
    expect(again.status).toBe(409);
    expect((await body(again)).error.message).toMatch(
      /^delivery d-1 was already received at \d{4}-\d\d-\d\dT[^ ]+: a replayed delivery triggers nothing/,
    );
    // The delivery id is not signed: the same signed body under a new id is still a replay...
    expect((await github(payload, { 'x-github-delivery': 'd-2' })).status).toBe(409);
    expect((await github(payload)).status).toBe(409);
    // ...and a reused delivery id with another body too.
    expect((await github(pushPayload('refs/heads/main'), { 'x-github-delivery': 'd-1' })).status).toBe(409);
    expect(await queuedByWebhook()).toEqual([]);
    // Gitea's X-Gitea-Delivery is remembered the same way.
    const gitea = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: 'https://x/y.git' } });
    const send = () =>
      h.call('POST', `/api/v1/webhooks/${projectId}/gitea`, {
        body: gitea,
        headers: { 'x-gitea-signature': giteaSig(gitea), 'x-gitea-event': 'push', 'x-gitea-delivery': 'g-1' },
      });
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(409);
  });

  it('a delivery id no forge sends (past 200 characters, PostgreSQL could not index it) is a 400 naming the header', async () => {
    const r = await github(pushPayload('refs/heads/main'), {
      'x-github-delivery': randomBytes(3000).toString('hex'),
    });
    expect(r.status).toBe(400);
    expect((await body(r)).error.message).toBe('X-GitHub-Delivery is longer than 200 characters');
  });

  it('a correctly signed body that is not JSON is a 400 saying the body must be JSON', async () => {
    const form = `payload=${encodeURIComponent(pushPayload('refs/heads/main'))}`;
    const r = await h.call('POST', `/api/v1/webhooks/${projectId}/github`, {
      body: form,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-hub-signature-256': githubSig(form),
        'x-github-event': 'push',
      },
    });
    expect(r.status).toBe(400);
    expect((await body(r)).error.message).toBe(
      "the webhook body must be JSON: set the webhook's content type to application/json",
    );
    // Signed over the exact bytes whatever the content type: a JSON push sent as text/plain works.
    const payload = pushPayload('refs/heads/main');
    const plain = await h.call('POST', `/api/v1/webhooks/${projectId}/github`, {
      body: payload,
      headers: {
        'content-type': 'text/plain',
        'x-hub-signature-256': githubSig(payload),
        'x-github-event': 'push',
      },
    });
    expect(plain.status).toBe(202);
  });
});
