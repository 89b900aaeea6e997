// Hydra fails every build that needs a failed step, running ones too. Through the built
// fc-queue-runner with real Nix: while one build's step fails, builds that need its derivation are
// already running (their Nix waits on the derivation's lock); they are stopped and finish as the
// failure's dependents — a step naming the build it failed in, Hydra's status — rather than build
// the failed derivation again once the lock is free.
import { describe, expect, it, jest } from '@jest/globals';
import { stoppedDependentMessage } from '@fc/builds';
import {
  readBuild,
  readStoredLog,
  waitForBuild,
  waitForBusyStep,
  setUpQueueRunner,
} from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: running builds that need a step that failed', () => {
  const qr = setUpQueueRunner({ env: { FC_QUEUE_RUNNER__WORKERS: '3' } });

  async function steps(id: number) {
    const r = await qr.pool.query<{
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

  it('stops them and finishes them with the failure, never building the failed derivation again', async () => {
    const failing = await qr.instantiate('failsLater');
    const dependent = await qr.instantiate('dependsOnLaterFailure');
    const [failingId] = (await qr.queueBuilds([{ job: 'failsLater', drv: failing }])) as [number];
    await waitForBusyStep(qr.pool, failingId);
    // While it builds, two builds that need its derivation start: one that depends on it, and one of
    // the same derivation (another job). Their Nix waits for the derivation's lock.
    const running = await qr.queueBuilds([
      { job: 'dependsOnLaterFailure', drv: dependent },
      { job: 'failsLater-again', drv: failing },
    ]);
    for (const id of running) await waitForBuild(qr.pool, id, (b) => b.startedAt !== null);
    expect((await readBuild(qr.pool, failingId)).finished).toBe(false);

    expect((await waitForBuild(qr.pool, failingId)).buildStatus).toBe(1);
    const message = stoppedDependentMessage(failing.drvPath, failingId);
    for (const [i, status] of [2, 1].entries()) {
      const b = await waitForBuild(qr.pool, running[i]!);
      expect(b).toMatchObject({ buildStatus: status, errorMessage: message, isCached: false });
      const own = await steps(running[i]!);
      // A step for the failed derivation naming the build it failed in, as Hydra records it.
      expect(own).toContainEqual({ drvPath: failing.drvPath, status: 1, propagatedFrom: failingId });
      // Nix did not build it again to its failure here (a step it had begun is aborted, 3).
      expect(
        own.filter((s) => s.drvPath === failing.drvPath && s.propagatedFrom === null),
      ).not.toContainEqual(expect.objectContaining({ status: 1 }));
      expect((await readStoredLog(qr.pool, running[i]!)).text).toContain(message);
    }
    // The derivation was built once, by the failing build.
    expect(await steps(failingId)).toEqual([{ drvPath: failing.drvPath, status: 1, propagatedFrom: null }]);
  });
});
