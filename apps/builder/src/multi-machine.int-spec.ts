// Several machines (README, "Multi-machine deployment"): two fc-queue-runners, each with its own
// work_dir and log_dir, build from one database, and fc-server (with a third log_dir, so it can read
// neither runner's disk) serves every build's log, finished or running, through its API.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createTestDatabase, freePort, startApp, type TestDatabase } from '@fc/testing';
import { createBoss, type Boss } from '@fc/queue';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  randomNonce,
  readBuild,
  waitForBuild,
  waitForBusyStep,
  waitUntil,
  builderDirs,
} from './testing/builder-harness';

jest.setTimeout(120_000);

describe('two queue runners on other machines, one server', () => {
  let db: TestDatabase;
  let boss: Boss;
  let jobset: Jobset;
  let server: ResultPromise;
  let serverUrl: string;
  const runners: ResultPromise[] = [];
  const dirs: string[] = [];
  const nonce = randomNonce();

  function tempDir(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    for (const name of ['a', 'b']) {
      const machine = builderDirs(`fc-mm-${name}`);
      dirs.push(machine.logDir, machine.rootsDir, machine.workDir);
      // The second runner compresses its chunks: the server reads both kinds.
      const extra: Record<string, string> = name === 'b' ? { FC_LOGS__COMPRESS: 'true' } : {};
      const runner = startApp('builder', [], { env: builderEnv(db.url, machine, extra) });
      runner.stderr?.pipe(createWriteStream(join(machine.workDir, 'fc-queue-runner.log')));
      runners.push(runner);
    }
    const port = await freePort();
    server = startApp('server', [], {
      env: {
        FC_DATABASE__URL: db.url,
        FC_DATABASE__MIN_CONNECTIONS: '0',
        FC_SERVER__PORT: String(port),
        FC_SERVER__SESSION_SECRET: 'multi-machine-spec',
        FC_LOGS__LOG_DIR: tempDir('fc-mm-server-logs-'),
      },
    });
    serverUrl = `http://127.0.0.1:${port}`;
    await waitUntil(
      () =>
        fetch(`${serverUrl}/health`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
      'fc-server to answer',
    );
  });

  afterAll(async () => {
    for (const daemon of [...runners, server]) daemon?.kill('SIGTERM');
    await Promise.all([...runners, server].map((d) => d?.catch(() => undefined)));
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function readLog(id: number, offset?: number, step?: number) {
    const path = step === undefined ? `/api/v1/builds/${id}/log` : `/api/v1/builds/${id}/steps/${step}/log`;
    const r = await fetch(`${serverUrl}${path}${offset === undefined ? '' : `?offset=${offset}`}`);
    expect(r.status).toBe(200);
    return {
      text: await r.text(),
      next: Number(r.headers.get('x-log-next-offset')),
      complete: r.headers.get('x-log-complete') === 'true',
    };
  }

  /** Who wrote each build's log (build_logs.writer: the runner's host and pid). */
  async function writers(ids: readonly number[]): Promise<Map<number, string>> {
    const r = await db.pool.query<{ build_id: string; writer: string }>(
      'SELECT build_id, writer FROM build_logs WHERE build_id = ANY($1) AND step_nr = 0',
      [ids],
    );
    return new Map(r.rows.map((row) => [Number(row.build_id), row.writer]));
  }

  it('both runners take builds, none runs twice, and every log reads through the server', async () => {
    const [ticker, ticker2, ...quick] = await Promise.all(
      ['ticker', 'ticker2', 'quick1', 'quick2', 'quick3', 'quick4', 'succeeds', 'fails'].map((attr) =>
        instantiate(FIXTURE_JOBS, attr, { nonce }),
      ),
    );
    // One worker each: the two slow builds run at once only when each runner has one.
    const [t1, t2] = await queueBuilds(db.pool, boss, jobset, [
      { job: 'ticker', drv: ticker! },
      { job: 'ticker2', drv: ticker2! },
    ]);
    await Promise.all([waitForBusyStep(db.pool, t1!), waitForBusyStep(db.pool, t2!)]);
    const running = await writers([t1!, t2!]);
    expect(new Set(running.values()).size).toBe(2);

    // Running: the server reads what each runner has stored so far, and says more may come.
    const follow = async (id: number, word: string) => {
      await waitUntil(
        async () => (await readLog(id)).text.includes(`${word}-2`),
        20_000,
        `${word}-2 in the log`,
      );
      const partial = await readLog(id, 0);
      expect(partial.complete).toBe(false);
      expect(partial.text).not.toContain(`${word}-8`);
      expect(partial.next).toBe(Buffer.byteLength(partial.text));
      // Followed from where it stopped until it is complete, the pieces make the whole log.
      let text = partial.text;
      let offset = partial.next;
      for (;;) {
        const more = await readLog(id, offset);
        text += more.text;
        offset = more.next;
        if (more.complete) return text;
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const followed = await Promise.all([follow(t1!, 'tick'), follow(t2!, 'tock')]);
    for (const [i, [id, word]] of (
      [
        [t1!, 'tick'],
        [t2!, 'tock'],
      ] as const
    ).entries()) {
      const text = followed[i]!;
      expect(text).toContain(`${word}-1\n${word}-2\n`);
      expect(text).toContain(`${word}-8\n`);
      expect((await readLog(id)).text).toBe(text);
      const b = await readBuild(db.pool, id);
      expect(b).toMatchObject({
        finished: true,
        buildStatus: 0,
        attempts: 1,
        logSize: Buffer.byteLength(text),
      });
      // The step's log is served too.
      const step = await readLog(id, 0, 1);
      expect(step.complete).toBe(true);
      expect(step.text).toContain(`${word}-8`);
    }

    // Finished: a batch of quick builds spread over both runners; each built once, its log readable.
    const ids = await queueBuilds(
      db.pool,
      boss,
      jobset,
      quick.map((drv, i) => ({ job: `quick-${i}`, drv })),
    );
    const done = await Promise.all(ids.map((id) => waitForBuild(db.pool, id)));
    expect(done.map((b) => b.attempts)).toEqual(ids.map(() => 1));
    expect(done.map((b) => b.buildStatus)).toEqual([0, 0, 0, 0, 0, 1]);
    const finishedWriters = await writers(ids);
    expect(finishedWriters.size).toBe(ids.length);
    for (const w of finishedWriters.values()) expect([...running.values()]).toContain(w);
    const logs = await Promise.all(ids.map((id) => readLog(id, 0)));
    expect(logs.every((l) => l.complete)).toBe(true);
    expect(logs[4]!.text).toContain('SUCCESS-BUILD-SAYS-HI');
    expect(logs[5]!.text).toContain('FAILING-BUILD-SAYS-BYE');
    for (const [i, l] of logs.entries()) expect(l.next).toBe(done[i]!.logSize);
    // Nix ran each derivation once: every step of these builds belongs to exactly one build.
    const steps = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM build_steps WHERE build_id = ANY($1) GROUP BY drv_path HAVING count(*) > 1`,
      [[...ids, t1!, t2!]],
    );
    expect(steps.rows).toEqual([]);
    // No log lives on either runner's or the server's disk.
    const onDisk = await db.pool.query('SELECT 1 FROM builds WHERE id = ANY($1) AND log_path IS NOT NULL', [
      ids,
    ]);
    expect(onDisk.rowCount).toBe(0);
  });
});
