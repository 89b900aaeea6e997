// Jobset states and limits against real PostgreSQL, git and Nix: one-shot, one-at-a-time,
// evaluator.max_concurrent_evals, and a fetch failure as the REST API shows it.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dueJobsetIds } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { createEvaluatorMetrics, createMetricsRegistry } from '@fc/metrics';
import { requestEvaluation, type Boss } from '@fc/queue';
import { startApp, type TestDatabase } from '@fc/testing';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  tempDir,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { startEvaluator } from '../evaluator';
import { evaluateJobsetJob, type EvaluatorSettings } from './evaluate-jobset.handler';

let db: TestDatabase;
let boss: Boss;
let workDir: string;
const salt = randomUUID();

const settings = (over: Partial<EvaluatorSettings> = {}): EvaluatorSettings => ({
  workDir,
  gitTimeout: 60,
  nixTimeout: 120,
  restrictEval: true,
  allowIfd: false,
  heartbeatMs: 1000,
  ...over,
});

async function evaluate(jobsetId: number) {
  return evaluateJobsetJob(
    { pool: db.pool, boss, logger: createSilentLogger(), settings: settings() },
    randomUUID(),
    { jobsetId, force: false, reason: 'api' },
  );
}

async function jobset(jobsetId: number): Promise<Record<string, unknown>> {
  return (await db.pool.query('SELECT * FROM jobsets WHERE id = $1', [jobsetId])).rows[0] as Record<
    string,
    unknown
  >;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A FIFO nobody writes: an evaluation reading it blocks, using no CPU, until `release`. */
function blockingFifo(): { path: string; release: () => void } {
  const path = join(tempDir('fc-eval-fifo-'), 'fifo');
  execFileSync('mkfifo', [path]);
  return {
    path,
    release: () => {
      // Readers blocked now get "x"; later readers read a plain file.
      const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
      writeSync(fd, 'x');
      closeSync(fd);
      rmSync(path);
      writeFileSync(path, 'x');
    },
  };
}

const oneJob = (name: string) =>
  gitRepo({ 'release.nix': `{ one = (import ./lib.nix).mk "${name}-${salt}" { }; }`, 'lib.nix': MK_NIX });

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-states-');
  ({ db, boss, workDir } = env);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('jobset states', () => {
  it('evaluates a one-shot jobset once, then disables it', async () => {
    const { jobsetId } = await createJobset(db.pool, {
      repositoryUrl: `file://${oneJob('one-shot')}`,
      checkInterval: 1,
      state: 'one-shot',
    });
    expect(await dueJobsetIds(db.pool)).toContain(jobsetId);
    expect(await evaluate(jobsetId)).toBe('succeeded');
    expect((await jobset(jobsetId))['state']).toBe('disabled');
    await db.pool.query(`UPDATE jobsets SET last_checked_at = now() - interval '1 hour' WHERE id = $1`, [
      jobsetId,
    ]);
    expect(await dueJobsetIds(db.pool)).not.toContain(jobsetId);
  });

  it("waits, one-at-a-time, until the previous evaluation's builds have finished", async () => {
    const { jobsetId } = await createJobset(db.pool, {
      repositoryUrl: `file://${oneJob('one-at-a-time')}`,
      checkInterval: 1,
      state: 'one-at-a-time',
    });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const overdue = () =>
      db.pool.query(`UPDATE jobsets SET last_checked_at = now() - interval '1 hour' WHERE id = $1`, [
        jobsetId,
      ]);
    await overdue();
    // Its build is queued (unfinished): not due, however overdue.
    expect(await dueJobsetIds(db.pool)).not.toContain(jobsetId);
    await db.pool.query(
      `UPDATE builds SET finished = true, build_status = 0, stopped_at = now() WHERE jobset_id = $1`,
      [jobsetId],
    );
    expect(await dueJobsetIds(db.pool)).toContain(jobsetId);
    expect((await jobset(jobsetId))['state']).toBe('one-at-a-time');
  });
});

describe('evaluator.max_concurrent_evals', () => {
  it('runs at most that many evaluations at once; the others wait their turn', async () => {
    const fifos = [blockingFifo(), blockingFifo()];
    const jobsetIds: number[] = [];
    for (const [i, fifo] of fifos.entries()) {
      const repo = gitRepo({
        'release.nix': `{ one = (import ./lib.nix).mk "concurrent-${i}-${salt}" { n = builtins.readFile "${fifo.path}"; }; }`,
        'lib.nix': MK_NIX,
      });
      jobsetIds.push((await createJobset(db.pool, { repositoryUrl: `file://${repo}` })).jobsetId);
    }
    const running = await startEvaluator({
      pool: db.pool,
      boss,
      logger: createSilentLogger(),
      settings: settings({ restrictEval: false }),
      pollInterval: 1,
      maxConcurrentEvals: 1,
      metrics: createEvaluatorMetrics(createMetricsRegistry({ service: 'test', processMetrics: false })),
    });
    const states = async () =>
      (
        await db.pool.query<{ jobset_id: number; status: string }>(
          'SELECT jobset_id, status FROM evaluations WHERE jobset_id = ANY($1)',
          [jobsetIds],
        )
      ).rows;
    try {
      for (const id of jobsetIds)
        await requestEvaluation(db.pool, boss, { jobsetId: id, force: false, reason: 'api' });
      const first = await waitFor('one evaluation to run', async () =>
        (await states()).find((e) => e.status === 'running'),
      );
      // Both jobs are queued and the first one is blocked: for a few polls, nothing else starts.
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 500));
        expect((await states()).filter((e) => e.status === 'running')).toEqual([first]);
      }
      fifos[jobsetIds.indexOf(first.jobset_id)]!.release();
      const second = await waitFor('the other evaluation to run', async () =>
        (await states()).find((e) => e.jobset_id !== first.jobset_id && e.status === 'running'),
      );
      expect((await states()).find((e) => e.jobset_id === first.jobset_id)?.status).toBe('succeeded');
      fifos[jobsetIds.indexOf(second.jobset_id)]!.release();
      await waitFor('both evaluations to succeed', async () => {
        const all = await states();
        return all.length === 2 && all.every((e) => e.status === 'succeeded') ? true : undefined;
      });
    } finally {
      for (const f of fifos) {
        try {
          f.release();
        } catch {
          // already released (a plain file now)
        }
      }
      await running.stop();
    }
  }, 90_000);
});

describe('a fetch failure', () => {
  function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
  }

  it('is shown by GET /api/v1/jobsets/{id}: message without credentials, time, still enabled', async () => {
    const { jobsetId } = await createJobset(db.pool, {
      repositoryUrl: 'https://fc-user:s3cret-token@127.0.0.1:1/nothing.git',
      checkInterval: 60,
    });
    expect(await evaluate(jobsetId)).toBe('fetch-failed');
    const port = await freePort();
    const server = startApp('server', [], {
      env: {
        FC_DATABASE__URL: db.url,
        FC_DATABASE__MIN_CONNECTIONS: '0',
        FC_SERVER__PORT: String(port),
        FC_SERVER__SESSION_SECRET: 'jobset-states-spec',
      },
    });
    try {
      const response = await waitFor('fc-server', async () => {
        try {
          return await fetch(`http://127.0.0.1:${port}/api/v1/jobsets/${jobsetId}`);
        } catch {
          return undefined;
        }
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body['error_message']).toEqual(expect.stringContaining('git fetch failed'));
      expect(JSON.stringify(body)).not.toContain('s3cret-token');
      expect(Date.parse(String(body['error_at']))).toBeGreaterThan(Date.now() - 120_000);
      expect(body['state']).toBe('enabled');
      // Still schedulable: due again once its interval has passed.
      await db.pool.query(`UPDATE jobsets SET last_checked_at = now() - interval '1 hour' WHERE id = $1`, [
        jobsetId,
      ]);
      expect(await dueJobsetIds(db.pool)).toContain(jobsetId);
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  }, 60_000);
});
