// Hydra fails every build that needs a failed step, running ones too. Through the built
// fc-queue-runner with real Nix: while one build's step fails, builds that need its derivation are
// already running (their Nix waits on the derivation's lock); they are stopped and finish as the
// failure's dependents — a step naming the build it failed in, Hydra's status — rather than build
// the failed derivation again once the lock is free.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { stoppedDependentMessage } from '@fc/builds';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, startApp, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  randomNonce,
  readBuild,
  readStoredLog,
  waitForBuild,
  waitForBusyStep,
} from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: running builds that need a step that failed', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemon: ResultPromise;
  let jobset: Jobset;
  const nonce = randomNonce();
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-qr-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-qr-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-qr-work-')),
  };

  async function steps(id: number) {
    const r = await db.pool.query<{
      drv_path: string;
      status: number | null;
      propagated_from: string | null;
    }>('SELECT drv_path, status, propagated_from FROM build_steps WHERE build_id = $1 ORDER BY step_nr', [
      id,
    ]);
    return r.rows.map((s) => ({
      drvPath: s.drv_path,
      status: s.status,
      propagatedFrom: s.propagated_from === null ? null : Number(s.propagated_from),
    }));
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    daemon = startApp('builder', [], {
      env: builderEnv(db.url, dirs, { FC_QUEUE_RUNNER__WORKERS: '3' }),
    });
  });

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    const r = await daemon;
    if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  it('stops them and finishes them with the failure, never building the failed derivation again', async () => {
    const failing = await instantiate(FIXTURE_JOBS, 'failsLater', { nonce });
    const dependent = await instantiate(FIXTURE_JOBS, 'dependsOnLaterFailure', { nonce });
    const [failingId] = (await queueBuilds(db.pool, boss, jobset, [{ job: 'failsLater', drv: failing }])) as [
      number,
    ];
    await waitForBusyStep(db.pool, failingId);
    // While it builds, two builds that need its derivation start: one that depends on it, and one of
    // the same derivation (another job). Their Nix waits for the derivation's lock.
    const running = await queueBuilds(db.pool, boss, jobset, [
      { job: 'dependsOnLaterFailure', drv: dependent },
      { job: 'failsLater-again', drv: failing },
    ]);
    for (const id of running) await waitForBuild(db.pool, id, (b) => b.startedAt !== null);
    expect((await readBuild(db.pool, failingId)).finished).toBe(false);

    expect((await waitForBuild(db.pool, failingId)).buildStatus).toBe(1);
    const message = stoppedDependentMessage(failing.drvPath, failingId);
    for (const [i, status] of [2, 1].entries()) {
      const b = await waitForBuild(db.pool, running[i]!);
      expect(b).toMatchObject({ buildStatus: status, errorMessage: message, isCached: false });
      const own = await steps(running[i]!);
      // A step for the failed derivation naming the build it failed in, as Hydra records it.
      expect(own).toContainEqual({ drvPath: failing.drvPath, status: 1, propagatedFrom: failingId });
      // Nix did not build it again to its failure here (a step it had begun is aborted, 3).
      expect(
        own.filter((s) => s.drvPath === failing.drvPath && s.propagatedFrom === null),
      ).not.toContainEqual(expect.objectContaining({ status: 1 }));
      expect((await readStoredLog(db.pool, running[i]!)).text).toContain(message);
    }
    // The derivation was built once, by the failing build.
    expect(await steps(failingId)).toEqual([{ drvPath: failing.drvPath, status: 1, propagatedFrom: null }]);
  });
});
