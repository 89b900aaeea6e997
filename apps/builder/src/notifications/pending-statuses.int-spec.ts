// Pending commit statuses end to end: builds queued with pending notices (their `pending` posted by a
// notify-build consumer before any queue runner runs), then the built fc-queue-runner with GitHub
// statuses pointed at @fc/testing's fake forge, which records them. Each build's context receives `pending` (queued, and started
// when the build is still running by then) and then its final state, never a pending after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { enqueueBuild } from '@fc/builds';
import { withTransaction } from '@fc/db';
import { loadConfig } from '@fc/config';
import { createSilentLogger } from '@fc/logging';
import { createBoss, type Boss } from '@fc/queue';
import {
  createTestDatabase,
  startApp,
  startFakeForge,
  type FakeForge,
  type PostedStatus,
  type TestDatabase,
} from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from '../testing/build-fixture';
import { startNotificationWorker } from './notification-worker';
import { FIXTURE_JOBS, builderEnv, randomNonce, waitForBuild, waitUntil } from '../testing/builder-harness';

jest.setTimeout(120_000);

const SHA = 'a'.repeat(40);
const TOKEN = 'gh-token';

describe('fc-queue-runner: pending commit statuses', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemon: ResultPromise;
  let jobset: Jobset;
  let forge: FakeForge;
  /** The statuses posted at acme/app's commit, in order. */
  const posted = (): PostedStatus[] =>
    forge.statuses.filter((s) => s.owner === 'acme' && s.repo === 'app' && s.sha === SHA);
  const nonce = randomNonce();
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-qr-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-qr-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-qr-work-')),
  };

  beforeAll(async () => {
    forge = await startFakeForge({ kind: 'github', token: TOKEN });
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    await db.pool.query('UPDATE evaluations SET input_revisions = $2 WHERE id = $1', [
      jobset.evaluationId,
      JSON.stringify({ repository: { uri: 'https://github.com/acme/app.git', branch: null, rev: SHA } }),
    ]);
  });

  const forgeEnv = () => ({
    FC_NOTIFICATIONS__GITHUB_TOKEN: TOKEN,
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITHUB_API_URL: forge.configUrl,
  });

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    const r = await daemon;
    if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    await forge?.close();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  it('posts pending when a build is queued and when it starts, then success or failure', async () => {
    const jobs = { short: 'success', fails: 'failure' } as const;
    const ids = new Map<string, number>();
    for (const job of Object.keys(jobs)) {
      const drv = await instantiate(FIXTURE_JOBS, job, { nonce });
      const [id] = (await queueBuilds(db.pool, boss, jobset, [{ job, drv, noJob: true }])) as [number];
      await withTransaction(db.pool, (tx) =>
        enqueueBuild(
          tx,
          boss,
          { id, priority: 100, globalPriority: 0, jobsetId: jobset.jobsetId },
          { pendingStatuses: true },
        ),
      );
      ids.set(job, id);
    }
    // Queued: pending, posted by a notify-build consumer while no queue runner is up.
    const config = loadConfig({ cwd: '/nonexistent', env: { FC_DATABASE__URL: db.url, ...forgeEnv() } });
    const worker = await startNotificationWorker({
      pool: db.pool,
      boss,
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
    daemon = startApp('builder', [], { env: builderEnv(db.url, dirs, forgeEnv()) });
    const projectName = (
      await db.pool.query<{ name: string }>('SELECT name FROM projects WHERE id = $1', [jobset.projectId])
    ).rows[0]!.name;
    for (const [job, final] of Object.entries(jobs)) {
      const id = ids.get(job)!;
      await waitForBuild(db.pool, id);
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
