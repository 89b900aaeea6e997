// Hydra's failed-paths cache through the built fc-queue-runner: a derivation whose build failed is not
// built again by a later build that needs it (its step is a cached failure, 8; the build gets its
// Hydra status), until a restart of a build that needs it clears the entry and it is built again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { restartBuild } from '@fc/builds';
import { withTransaction } from '@fc/db';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, startApp, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  randomNonce,
  readStoredLog,
  waitForBuild,
} from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: cached failures (status 8)', () => {
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
    const r = await db.pool.query<{ drv_path: string; status: number | null }>(
      'SELECT drv_path, status FROM build_steps WHERE build_id = $1 ORDER BY step_nr',
      [id],
    );
    return r.rows;
  }

  async function propagatedFrom(id: number) {
    const r = await db.pool.query<{ propagated_from: string | null }>(
      'SELECT propagated_from FROM build_steps WHERE build_id = $1 ORDER BY step_nr',
      [id],
    );
    return r.rows.map((s) => (s.propagated_from === null ? null : Number(s.propagated_from)));
  }

  async function failedPaths() {
    const r = await db.pool.query<{ path: string; drv_path: string }>(
      'SELECT path, drv_path FROM failed_paths ORDER BY path',
    );
    return r.rows;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    daemon = startApp('builder', [], { env: builderEnv(db.url, dirs) });
  });

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    const r = await daemon;
    if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  it('does not build a failed derivation again for a build that needs it, until that build is restarted', async () => {
    const fails = await instantiate(FIXTURE_JOBS, 'fails', { nonce });
    const dependent = await instantiate(FIXTURE_JOBS, 'dependsOnFailure', { nonce });
    const [failsId] = (await queueBuilds(db.pool, boss, jobset, [{ job: 'fails', drv: fails }])) as [number];
    expect((await waitForBuild(db.pool, failsId)).buildStatus).toBe(1);
    expect(await failedPaths()).toEqual(
      fails.outputs.map((o) => ({ path: o.path, drv_path: fails.drvPath })),
    );

    // The dependent build needs the failed derivation: not built, a cached failure step, the build 2.
    const [dependentId] = (await queueBuilds(db.pool, boss, jobset, [
      { job: 'dependsOnFailure', drv: dependent },
    ])) as [number];
    const cached = await waitForBuild(db.pool, dependentId);
    expect(cached).toMatchObject({ buildStatus: 2, isCached: true });
    expect(cached.errorMessage).toContain(
      `cached failure: ${fails.drvPath} failed before (build ${failsId})`,
    );
    expect(await steps(dependentId)).toEqual([{ drv_path: fails.drvPath, status: 8 }]);
    expect(await propagatedFrom(dependentId)).toEqual([failsId]);
    // Its log says why it did not run and how to run it.
    const log = await readStoredLog(db.pool, dependentId);
    expect(log.text).toBe(
      `cached failure: derivation ${fails.drvPath} failed earlier in build ${failsId}; it was not built again (status 8).\n` +
        `This build was not run. Restart build ${failsId} or this build to build it again, or clear the failed builds cache on /admin.\n`,
    );
    expect(cached.logSize).toBe(Buffer.byteLength(log.text));

    // A restart clears the entry: the derivation is built (and fails) again.
    await withTransaction(db.pool, (tx) => restartBuild(tx, boss, dependentId));
    const rebuilt = await waitForBuild(db.pool, dependentId);
    expect(rebuilt).toMatchObject({ buildStatus: 2, isCached: false });
    expect(await steps(dependentId)).toContainEqual({ drv_path: fails.drvPath, status: 1 });
    // The attempt's log starts afresh: the builder's output, not the cached-failure notice.
    const rebuiltLog = (await readStoredLog(db.pool, dependentId)).text;
    expect(rebuiltLog).toContain('FAILING-BUILD-SAYS-BYE');
    expect(rebuiltLog).not.toContain('cached failure');
    expect(await failedPaths()).toEqual(
      fails.outputs.map((o) => ({ path: o.path, drv_path: fails.drvPath })),
    );
  });
});
