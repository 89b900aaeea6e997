// Fair sharing between jobsets, end to end: fc-queue-runner with one worker, two jobsets with
// scheduling shares 1:3 and a backlog each (the smaller share's builds queued first), real Nix builds.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, startApp, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import { FIXTURE_JOBS, builderEnv, randomNonce, waitForBuild } from './testing/builder-harness';

jest.setTimeout(180_000);

const PER_JOBSET = 12;

describe('fc-queue-runner: builders shared between jobsets by scheduling shares', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemon: ResultPromise | undefined;
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-share-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-share-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-share-work-')),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
  });

  afterAll(async () => {
    if (daemon) {
      daemon.kill('SIGTERM');
      await daemon.catch(() => undefined);
    }
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    rmSync(dirs.logDir, { recursive: true, force: true });
    rmSync(dirs.rootsDir, { recursive: true, force: true });
  });

  async function backlog(jobset: Jobset, shares: number, tag: string): Promise<number[]> {
    await db.pool.query('UPDATE jobsets SET scheduling_shares = $2 WHERE id = $1', [jobset.jobsetId, shares]);
    const nonce = randomNonce();
    const drvs = await Promise.all(
      Array.from({ length: PER_JOBSET }, (_, i) =>
        instantiate(FIXTURE_JOBS, 'quick1', { nonce: `${nonce}${tag}${i}` }),
      ),
    );
    return queueBuilds(
      db.pool,
      boss,
      jobset,
      drvs.map((drv, i) => ({ job: `quick-${i}`, drv })),
    );
  }

  it('starts builds of two jobsets with shares 1:3 in about that ratio, whichever queued first', async () => {
    const small = await backlog(await createJobset(db.pool, 'share-one'), 100, 'a');
    const large = await backlog(await createJobset(db.pool, 'share-three'), 300, 'b');
    daemon = startApp('builder', [], { env: builderEnv(db.url, dirs) });
    daemon.stderr?.pipe(createWriteStream(join(dirs.workDir, 'fc-queue-runner.log')));

    const done = [];
    for (const id of [...small, ...large]) done.push(await waitForBuild(db.pool, id));
    expect(done.every((b) => b.buildStatus === 0)).toBe(true);
    const order = [...done].sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
    // The first 16 starts, while both jobsets still had queued builds (3:1 of 16 is 12 and 4).
    const early = order.slice(0, 16);
    const fromSmall = early.filter((b) => small.includes(b.id)).length;
    const fromLarge = early.length - fromSmall;
    expect(fromSmall).toBeGreaterThanOrEqual(3);
    expect(fromLarge / fromSmall).toBeGreaterThanOrEqual(2);
    expect(fromLarge / fromSmall).toBeLessThanOrEqual(4.5);
  });
});
