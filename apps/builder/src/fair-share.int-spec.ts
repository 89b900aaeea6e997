// Fair sharing between jobsets, end to end: two jobsets with scheduling shares 1:3 and a backlog each
// (the smaller share's builds queued first), real Nix builds; first one fc-queue-runner with one
// worker, then two runner processes (as on two machines) claiming from the same queue at once. The
// runners are up before the backlogs are queued, so each takes its part from the first build.
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, startApp, waitForLogRecord, type TestDatabase } from '@fc/testing';
import {
  createJobset,
  instantiate,
  queueBuilds,
  type InstantiatedJob,
  type Jobset,
} from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  randomNonce,
  waitForBuild,
  type FinishedBuild,
  builderDirs,
  removeBuilderDirs,
  type BuilderDirs,
} from './testing/builder-harness';

jest.setTimeout(240_000);

const PER_JOBSET = 12;
/** Starts looked at: while both jobsets still have queued builds (3:1 of 16 is 12 and 4). */
const EARLY = 16;

describe('fc-queue-runner: builders shared between jobsets by scheduling shares', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemons: ResultPromise[] = [];
  const machines: BuilderDirs[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
  });

  afterEach(async () => {
    for (const d of daemons) d.kill('SIGTERM');
    await Promise.all(daemons.map((d) => d.catch(() => undefined)));
    daemons = [];
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const m of machines) removeBuilderDirs(m);
  });

  /** Starts a runner as on a machine of its own; resolves once it is ready to claim. */
  async function startRunner(name: string): Promise<void> {
    const machine = builderDirs(`fc-share-${name}`);
    machines.push(machine);
    const daemon = startApp('builder', [], { env: builderEnv(db.url, machine) });
    daemons.push(daemon);
    const log = join(machine.workDir, 'fc-queue-runner.log');
    const ready = waitForLogRecord(daemon, (r) => r.message === 'ready', `runner ${name} ready`, 60_000);
    daemon.stderr?.pipe(createWriteStream(log));
    await ready.catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; its log:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    });
  }

  /** A backlog's derivations (instantiated before any is queued, so both backlogs queue together). */
  async function derivations(tag: string): Promise<InstantiatedJob[]> {
    const nonce = randomNonce();
    return Promise.all(
      Array.from({ length: PER_JOBSET }, (_, i) =>
        instantiate(FIXTURE_JOBS, 'quick1', { nonce: `${nonce}${tag}${i}` }),
      ),
    );
  }

  async function queueBacklog(
    jobset: Jobset,
    shares: number,
    drvs: readonly InstantiatedJob[],
  ): Promise<number[]> {
    await db.pool.query('UPDATE jobsets SET scheduling_shares = $2 WHERE id = $1', [jobset.jobsetId, shares]);
    return queueBuilds(
      db.pool,
      boss,
      jobset,
      drvs.map((drv, i) => ({ job: `quick-${i}`, drv })),
    );
  }

  /**
   * Both backlogs queued (shares 1 first, then 3), then `runners` runners started; every build once
   * it is done.
   */
  async function shareBuilders(
    tag: string,
    runners: number,
  ): Promise<{ small: number[]; builds: (FinishedBuild & { runner: string })[] }> {
    const [one, three] = await Promise.all([
      createJobset(db.pool, `${tag}-one`),
      createJobset(db.pool, `${tag}-three`),
    ]);
    const [smallDrvs, largeDrvs] = await Promise.all([derivations(`${tag}a`), derivations(`${tag}b`)]);
    // Both backlogs wait before any runner claims: while the second was being queued, runners that
    // were already up took the first one's builds alone (all there was), which says nothing of shares.
    const small = await queueBacklog(one, 100, smallDrvs);
    const large = await queueBacklog(three, 300, largeDrvs);
    await Promise.all(Array.from({ length: runners }, (_, i) => startRunner(`${tag}${i}`)));
    const builds = [];
    for (const id of [...small, ...large]) {
      const b = await waitForBuild(db.pool, id);
      const r = await db.pool.query<{ runner: string }>('SELECT runner FROM builds WHERE id = $1', [id]);
      builds.push({ ...b, runner: r.rows[0]!.runner });
    }
    return { small, builds };
  }

  function expectSharesOneToThree(small: readonly number[], builds: readonly FinishedBuild[]): void {
    expect(builds.every((b) => b.buildStatus === 0)).toBe(true);
    const early = [...builds].sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime()).slice(0, EARLY);
    const fromSmall = early.filter((b) => small.includes(b.id)).length;
    const fromLarge = early.length - fromSmall;
    expect(fromSmall).toBeGreaterThanOrEqual(3);
    // About 3 to 1; 16 builds under a loaded machine vary (10:6 was seen), while equal shares give 1
    // and queue order (the smaller backlog was queued first) 0.
    expect(fromLarge / fromSmall).toBeGreaterThanOrEqual(1.5);
    expect(fromLarge / fromSmall).toBeLessThanOrEqual(4.5);
  }

  it('one runner starts builds of two jobsets with shares 1:3 in about that ratio, whichever queued first', async () => {
    const { small, builds } = await shareBuilders('solo', 1);
    expectSharesOneToThree(small, builds);
  });

  // Claims are serialized across runners and a claimed build counts from its claim, so two runners
  // claiming at once keep the shares (they came out 8:8 under load when each claim saw only builds
  // already marked started).
  it('two runner processes claiming at once keep shares 1:3, building each build exactly once', async () => {
    const { small, builds } = await shareBuilders('pair', 2);
    expectSharesOneToThree(small, builds);
    // Each build claimed once: one attempt, one build step, no claim lost or doubled.
    expect(builds.map((b) => b.attempts)).toEqual(builds.map(() => 1));
    const steps = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM build_steps WHERE build_id = ANY($1) GROUP BY build_id',
      [builds.map((b) => b.id)],
    );
    expect(steps.rows.map((r) => r.n)).toEqual(builds.map(() => 1));
    // Both runners took their part.
    expect(new Set(builds.map((b) => b.runner)).size).toBe(2);
  });
});
