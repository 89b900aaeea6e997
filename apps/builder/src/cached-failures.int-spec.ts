// Hydra's failed-paths cache through the built fc-queue-runner: a derivation whose build failed is not
// built again by a later build that needs it (its step is a cached failure, 8; the build gets its
// Hydra status), until a restart of a build that needs it clears the entry and it is built again.
import { describe, expect, it, jest } from '@jest/globals';
import { restartBuild } from '@fc/builds';
import { withTransaction } from '@fc/db';
import { readStoredLog, setUpQueueRunner, waitForBuild } from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: cached failures (status 8)', () => {
  const qr = setUpQueueRunner();

  async function steps(id: number) {
    const r = await qr.pool.query<{ drv_path: string; status: number | null }>(
      'SELECT drv_path, status FROM build_steps WHERE build_id = $1 ORDER BY step_nr',
      [id],
    );
    return r.rows;
  }

  async function propagatedFrom(id: number) {
    const r = await qr.pool.query<{ propagated_from: string | null }>(
      'SELECT propagated_from FROM build_steps WHERE build_id = $1 ORDER BY step_nr',
      [id],
    );
    return r.rows.map((s) => (s.propagated_from === null ? null : Number(s.propagated_from)));
  }

  async function failedPaths() {
    const r = await qr.pool.query<{ path: string; drv_path: string }>(
      'SELECT path, drv_path FROM failed_paths ORDER BY path',
    );
    return r.rows;
  }

  it('does not build a failed derivation again for a build that needs it, until that build is restarted', async () => {
    const fails = await qr.instantiate('fails');
    const dependent = await qr.instantiate('dependsOnFailure');
    const [failsId] = (await qr.queueBuilds([{ job: 'fails', drv: fails }])) as [number];
    expect((await waitForBuild(qr.pool, failsId)).buildStatus).toBe(1);
    expect(await failedPaths()).toEqual(
      fails.outputs.map((o) => ({ path: o.path, drv_path: fails.drvPath })),
    );

    // The dependent build needs the failed derivation: not built, a cached failure step, the build 2.
    const [dependentId] = (await qr.queueBuilds([{ job: 'dependsOnFailure', drv: dependent }])) as [number];
    const cached = await waitForBuild(qr.pool, dependentId);
    expect(cached).toMatchObject({ buildStatus: 2, isCached: true });
    expect(cached.errorMessage).toContain(
      `cached failure: ${fails.drvPath} failed before (build ${failsId})`,
    );
    expect(await steps(dependentId)).toEqual([{ drv_path: fails.drvPath, status: 8 }]);
    expect(await propagatedFrom(dependentId)).toEqual([failsId]);
    // Its log says why it did not run and how to run it.
    const log = await readStoredLog(qr.pool, dependentId);
    expect(log.text).toBe(
      `cached failure: derivation ${fails.drvPath} failed earlier in build ${failsId}; it was not built again (status 8).\n` +
        `This build was not run. Restart build ${failsId} or this build to build it again, or clear the failed builds cache on /admin.\n`,
    );
    expect(cached.logSize).toBe(Buffer.byteLength(log.text));

    // A restart clears the entry: the derivation is built (and fails) again.
    await withTransaction(qr.pool, (tx) => restartBuild(tx, qr.boss, dependentId));
    const rebuilt = await waitForBuild(qr.pool, dependentId);
    expect(rebuilt).toMatchObject({ buildStatus: 2, isCached: false });
    expect(await steps(dependentId)).toContainEqual({ drv_path: fails.drvPath, status: 1 });
    // The attempt's log starts afresh: the builder's output, not the cached-failure notice.
    const rebuiltLog = (await readStoredLog(qr.pool, dependentId)).text;
    expect(rebuiltLog).toContain('FAILING-BUILD-SAYS-BYE');
    expect(rebuiltLog).not.toContain('cached failure');
    expect(await failedPaths()).toEqual(
      fails.outputs.map((o) => ({ path: o.path, drv_path: fails.drvPath })),
    );
  });
});
