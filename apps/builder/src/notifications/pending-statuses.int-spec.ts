// Pending commit statuses end to end: builds queued with pending notices (their `pending` posted by a
// notify-build consumer before any queue runner runs), then the built fc-queue-runner with GitHub
// statuses pointed at @fc/testing's fake forge, which records them. Each build's context receives `pending` (queued, and started
// when the build is still running by then) and then its final state, never a pending after it.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { enqueueBuild } from '@fc/builds';
import { withTransaction } from '@fc/db';
import { loadConfig } from '@fc/config';
import { createSilentLogger } from '@fc/logging';
import { startFakeForge, type FakeForge, type PostedStatus } from '@fc/testing';
import { startNotificationWorker } from './notification-worker';
import { waitForBuild, waitUntil, setUpQueueRunner } from '../testing/builder-harness';

jest.setTimeout(120_000);

const SHA = 'a'.repeat(40);
const TOKEN = 'gh-token';

describe('fc-queue-runner: pending commit statuses', () => {
  const qr = setUpQueueRunner({ start: false });
  let forge: FakeForge;
  /** The statuses posted at acme/app's commit, in order. */
  const posted = (): PostedStatus[] =>
    forge.statuses.filter((s) => s.owner === 'acme' && s.repo === 'app' && s.sha === SHA);

  beforeAll(async () => {
    forge = await startFakeForge({ kind: 'github', token: TOKEN });
    await qr.pool.query('UPDATE evaluations SET input_revisions = $2 WHERE id = $1', [
      qr.jobset.evaluationId,
      JSON.stringify({ repository: { uri: 'https://github.com/acme/app.git', branch: null, rev: SHA } }),
    ]);
  });

  const forgeEnv = () => ({
    FC_NOTIFICATIONS__GITHUB_TOKEN: TOKEN,
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITHUB_API_URL: forge.configUrl,
  });

  afterAll(async () => {
    await forge?.close();
  });

  it('posts pending when a build is queued and when it starts, then success or failure', async () => {
    const jobs = { short: 'success', fails: 'failure' } as const;
    const ids = new Map<string, number>();
    for (const job of Object.keys(jobs)) {
      const drv = await qr.instantiate(job);
      const [id] = (await qr.queueBuilds([{ job, drv, noJob: true }])) as [number];
      await withTransaction(qr.pool, (tx) =>
        enqueueBuild(
          tx,
          qr.boss,
          { id, priority: 100, globalPriority: 0, jobsetId: qr.jobset.jobsetId },
          { pendingStatuses: true },
        ),
      );
      ids.set(job, id);
    }
    // Queued: pending, posted by a notify-build consumer while no queue runner is up.
    const config = loadConfig({ cwd: '/nonexistent', env: { FC_DATABASE__URL: qr.db.url, ...forgeEnv() } });
    const worker = await startNotificationWorker({
      pool: qr.pool,
      boss: qr.boss,
      logger: createSilentLogger(),
      config,
    });
    await waitUntil(() => posted().length >= 2, 30_000, 'the queued builds’ pending statuses');
    await worker.stop();
    expect(
      posted()
        .map((p) => [p.state, p.description])
        .sort(),
    ).toEqual([...ids.values()].map((id) => ['pending', `Build ${id} queued`]).sort());
    void qr.startBuilder(forgeEnv());
    const projectName = (
      await qr.pool.query<{ name: string }>('SELECT name FROM projects WHERE id = $1', [qr.jobset.projectId])
    ).rows[0]!.name;
    for (const [job, final] of Object.entries(jobs)) {
      const id = ids.get(job)!;
      await waitForBuild(qr.pool, id);
      const context = `fc:${projectName}:main:${job}`;
      const states = () =>
        posted()
          .filter((p) => p.context === context)
          .map((p) => p.state);
      await waitUntil(() => states().includes(final), 30_000, `the ${final} status of ${job}`);
      const seen = states();
      const firstFinal = seen.indexOf(final);
      // Queued (and started, unless the build had finished when that job ran): pending, then final only.
      expect(firstFinal).toBeGreaterThanOrEqual(1);
      expect(seen.slice(0, firstFinal).every((s) => s === 'pending')).toBe(true);
      expect(seen.slice(firstFinal).every((s) => s === final)).toBe(true);
      const pendingDescriptions = posted()
        .filter((p) => p.context === context && p.state === 'pending')
        .map((p) => p.description);
      expect(pendingDescriptions[0]).toBe(`Build ${id} queued`);
      for (const d of pendingDescriptions.slice(1)) expect(d).toBe(`Build ${id} running`);
    }
  });
});
