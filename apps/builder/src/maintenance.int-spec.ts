// fc-queue-runner's housekeeping, driven through the daemon: GC root cleanup, the lost-build check,
// and remote builders (which systems can be built, and the machines file handed to Nix).
import { lutimesSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { withTransaction } from '@fc/db';
import { addGcRoot, gcRootName } from '@fc/nix';
import { cancelBuild } from '@fc/builds';
import { QueueName } from '@fc/queue';
import type { InstantiatedJob } from './testing/build-fixture';
import {
  nixDaemonSessions,
  readBuild,
  waitForBuild,
  sleep,
  waitUntil,
  readStoredLog,
  setUpQueueRunner,
} from './testing/builder-harness';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const UNSUPPORTED_TIMEOUT = 4;

describe('fc-queue-runner: GC roots, lost builds, remote builders', () => {
  let drv: InstantiatedJob;
  // Builds (and roots) set up before the daemon starts.
  const gc = { oldAndGone: 0, kept: 0, newestEval: 0, young: 0, deleted: 0 };
  const lost = { failedJob: 0, missingJob: 0 };
  const qr = setUpQueueRunner({
    env: {
      FC_GC__CLEANUP_INTERVAL: '1',
      FC_GC__MAX_AGE_DAYS: '1',
      FC_QUEUE_RUNNER__UNSUPPORTED_TIMEOUT: String(UNSUPPORTED_TIMEOUT),
    },
    beforeStart,
  });

  /** What the daemon finds when it starts: old GC roots and lost builds. */
  async function beforeStart(): Promise<void> {
    drv = await qr.instantiate('quick1');

    // GC roots: the jobset keeps its newest evaluation only; every root but `young` is two days old.
    const ids = await qr.queueBuilds(
      ['old', 'kept', 'newest', 'young', 'deleted'].map((job) => ({ job, drv, noJob: true })),
    );
    [gc.oldAndGone, gc.kept, gc.newestEval, gc.young, gc.deleted] = ids as [
      number,
      number,
      number,
      number,
      number,
    ];
    await qr.pool.query('UPDATE jobsets SET keep_nr = 1 WHERE id = $1', [qr.jobset.jobsetId]);
    await qr.pool.query('UPDATE builds SET keep = true WHERE id = $1', [gc.kept]);
    const newer = await qr.pool.query<{ id: number }>(
      `INSERT INTO evaluations (jobset_id, project_id, status) VALUES ($1, $2, 'succeeded') RETURNING id`,
      [qr.jobset.jobsetId, qr.jobset.projectId],
    );
    await qr.pool.query('INSERT INTO evaluation_reused_builds (evaluation_id, build_id) VALUES ($1, $2)', [
      newer.rows[0]!.id,
      gc.newestEval,
    ]);
    await qr.pool.query('DELETE FROM builds WHERE id = $1', [gc.deleted]);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    for (const id of ids) {
      const link = await addGcRoot(
        qr.dirs.rootsDir,
        gcRootName(id, 'out'),
        drv.outputs[0]?.path ?? drv.drvPath,
      );
      if (id !== gc.young) lutimesSync(link, twoDaysAgo, twoDaysAgo);
    }

    // Lost builds: claimed long ago, their pg-boss job given up on outside any worker (failed for good
    // after its last attempt, or gone).
    [lost.failedJob, lost.missingJob] = (await qr.queueBuilds(
      ['lost-failed', 'lost-missing'].map((job) => ({ job, drv })),
    )) as [number, number];
    const jobs = await qr.boss.fetch(QueueName.BuildDerivation, { batchSize: 10 });
    expect(jobs).toHaveLength(2);
    const jobOf = async (id: number) =>
      (await qr.pool.query<{ queue_job_id: string }>('SELECT queue_job_id FROM builds WHERE id = $1', [id]))
        .rows[0]!.queue_job_id;
    await qr.pool.query(
      `UPDATE builds SET started_at = now() - interval '1 minute', attempts = 1 WHERE id = ANY($1::bigint[])`,
      [[lost.failedJob, lost.missingJob]],
    );
    await qr.pool.query('UPDATE pgboss.job SET retry_limit = 0 WHERE id = $1', [await jobOf(lost.failedJob)]);
    await qr.boss.fail(QueueName.BuildDerivation, await jobOf(lost.failedJob), { reason: 'worker vanished' });
    await qr.pool.query('DELETE FROM pgboss.job WHERE id = $1', [await jobOf(lost.missingJob)]);
  }

  it('removes GC roots older than gc.max_age_days unless kept or in one of the keep_nr newest evaluations', async () => {
    const root = (id: number) => join(qr.dirs.rootsDir, gcRootName(id, 'out'));
    // The roots are symlinks to store paths that may not exist: test the link, not its target.
    const linkExists = (path: string) => readdirSync(qr.dirs.rootsDir).includes(basename(path));
    await waitUntil(() => !linkExists(root(gc.oldAndGone)), 10_000, 'the old root to go');
    await waitUntil(() => !linkExists(root(gc.deleted)), 10_000, "the deleted build's root to go");
    // A later cleanup pass, shown by a new stale root (of a build that does not exist) going, left
    // the others alone.
    const probe = await addGcRoot(qr.dirs.rootsDir, gcRootName(999_999, 'out'), drv.drvPath);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    lutimesSync(probe, twoDaysAgo, twoDaysAgo);
    await waitUntil(() => !linkExists(probe), 10_000, 'a later pass to remove the probe root');
    expect(readdirSync(qr.dirs.rootsDir).sort()).toEqual(
      [gc.kept, gc.newestEval, gc.young].map((id) => gcRootName(id, 'out')).sort(),
    );
  });

  it('aborts (3) a started build whose job was given up on outside a worker', async () => {
    const failed = await waitForBuild(qr.pool, lost.failedJob, undefined, 20_000);
    expect(failed.buildStatus).toBe(3);
    expect(failed.errorMessage).toContain('failed after 1 attempt');
    const missing = await waitForBuild(qr.pool, lost.missingJob, undefined, 20_000);
    expect(missing.buildStatus).toBe(3);
    expect(missing.errorMessage).toContain('disappeared');
  });

  it('9 after unsupported_timeout when no builder offers the system; an enabled builder added before keeps it queued', async () => {
    const remoteDrv = await qr.instantiate('remoteArch');
    const [unsupported, remote] = await qr.queueBuilds([
      { job: 'no-builder', drv, system: 'fc-nowhere-arch' },
      { job: 'remote', drv: remoteDrv },
    ]);
    // A disabled row offering the system does not count; an enabled one does.
    await qr.pool.query(
      `INSERT INTO remote_builders (name, uri, systems, max_jobs, speed_factor, supported_features, enabled)
       VALUES ('off', 'ssh://fc@off.invalid', '{fc-nowhere-arch}', 1, 1, '{}', false),
              ('remote', 'ssh://fc@remote.invalid', '{fc-remote-arch,aarch64-linux}', 3, 2, '{kvm,big}', true)`,
    );
    const b = await waitForBuild(qr.pool, unsupported!, undefined, 20_000);
    expect(b.buildStatus).toBe(9);
    expect(b.errorMessage).toContain("'fc-nowhere-arch'");

    // The other is handed to Nix with the machines file (Nix waits for the unreachable machine).
    const created = (
      await qr.pool.query<{ created_at: Date }>('SELECT created_at FROM builds WHERE id = $1', [remote])
    ).rows[0]!.created_at;
    await sleep(Math.max(0, created.getTime() + (UNSUPPORTED_TIMEOUT + 1) * 1000 - Date.now()));
    const r = await readBuild(qr.pool, remote!);
    expect(r).toMatchObject({ finished: false, buildStatus: null, errorMessage: null });
    expect(r.startedAt).not.toBeNull();
    const machinesFiles = readdirSync(qr.dirs.workDir).filter((f) => /^machines-\d+$/.test(f));
    expect(machinesFiles).toHaveLength(1);
    const machinesFile = join(qr.dirs.workDir, machinesFiles[0]!);
    expect(readFileSync(machinesFile, 'utf8')).toBe(
      'ssh://fc@remote.invalid fc-remote-arch,aarch64-linux - 3 2 kvm,big - -\n',
    );
    // Nix gets the file (`builders = @file` through its daemon session): its log shows the machine it
    // read from that file.
    const nixSawMachine = async () =>
      (await readStoredLog(qr.pool, remote!)).text.includes('(fc-remote-arch, aarch64-linux, 3, big, kvm, )');
    await waitUntil(nixSawMachine, 10_000, 'Nix to read the machines file');
    // The runner builds through its nix-daemon sessions; cancelling ends the build (killing the
    // session when Nix is still waiting for the machine: see the cancel spec in queue-control).
    expect(nixDaemonSessions(qr.daemon.pid!).length).toBeGreaterThan(0);
    await withTransaction(qr.pool, (tx) => cancelBuild(tx, qr.boss, remote!));
    const cancelled = await waitForBuild(qr.pool, remote!, (x) => x.finished, 10_000);
    expect(cancelled.buildStatus).toBe(4);
  });
});
