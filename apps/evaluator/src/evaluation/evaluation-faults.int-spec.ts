// Faults that used to wedge a jobset: an evaluate-jobset job that fails for good left its evaluation
// "running / recording" forever with no error; a meta.timeout past 32 bits and a content-addressed
// output's placeholder were two ways to get there. And a SIGTERM waiting without limit on a git
// fetch from a server that never answers.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitForLogRecord } from '@fc/testing';
import { DRAIN_SECONDS, QueueName, requestEvaluation } from '@fc/queue';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

jest.setTimeout(90_000);

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-faults-');
}, 60_000);

afterAll(async () => {
  await env.stop();
});

async function rows(text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  return (await env.db.pool.query(text, values)).rows as Record<string, unknown>[];
}

async function jobsetWith(release: string): Promise<number> {
  const repo = gitRepo({ 'lib.nix': MK_NIX, 'release.nix': release });
  return (await createJobset(env.db.pool, { repositoryUrl: `file://${repo}` })).jobsetId;
}

describe('an evaluation', () => {
  it('records a meta.timeout, maxSilent or schedulingPriority past 32 bits clamped to the column', async () => {
    const jobsetId = await jobsetWith(`let inherit (import ./lib.nix) mk; in {
      long = (mk "long-${randomUUID()}" { }) // { meta = { timeout = 3000000000; maxSilent = 4000000000; schedulingPriority = -9000000000; }; };
      plain = mk "plain-${randomUUID()}" { };
    }`);
    await expect(
      evaluateJobsetJob(env.handlerDeps(), randomUUID(), { jobsetId, force: true, reason: 'api' }),
    ).resolves.toBe('succeeded');
    const builds = await rows(
      'SELECT job, timeout, max_silent, priority FROM builds WHERE jobset_id = $1 ORDER BY job',
      [jobsetId],
    );
    expect(builds).toEqual([
      { job: 'long', timeout: 2147483647, max_silent: 2147483647, priority: -2147483647 },
      { job: 'plain', timeout: 36000, max_silent: 3600, priority: 100 },
    ]);
  });

  it('records a job whose name or system PostgreSQL cannot index as a job error, and the rest', async () => {
    // Random letters: PostgreSQL compresses a repetitive name below its index limit. It starts with
    // an "a" so that it sorts before odd-system whatever letters follow.
    const long =
      'a' +
      Array.from({ length: 4999 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
    const jobsetId = await jobsetWith(`let inherit (import ./lib.nix) mk; in {
      ${long} = mk "long-${randomUUID()}" { };
      odd-system = mk "odd-${randomUUID()}" { system = "${'s'.repeat(300)}"; };
      plain = mk "plain-${randomUUID()}" { };
    }`);
    await expect(
      evaluateJobsetJob(env.handlerDeps(), randomUUID(), { jobsetId, force: true, reason: 'api' }),
    ).resolves.toBe('succeeded');
    const builds = await rows('SELECT job FROM builds WHERE jobset_id = $1', [jobsetId]);
    expect(builds).toEqual([{ job: 'plain' }]);
    const errors = await rows(
      `SELECT e.job, e.message FROM evaluation_errors e JOIN evaluations v ON v.id = e.evaluation_id
       WHERE v.jobset_id = $1 ORDER BY e.job`,
      [jobsetId],
    );
    expect(errors).toEqual([
      {
        job: expect.stringMatching(new RegExp(`^${long.slice(0, 200)}…\\([0-9a-f]{16}\\)$`)),
        message: 'the job name is 5000 bytes long; FC records job names of at most 1024 bytes',
      },
      { job: 'odd-system', message: 'its system is 300 bytes long; FC records systems of at most 255 bytes' },
    ]);
  });

  it("with a content-addressed job is recorded (its placeholder output is never asked of Nix's store)", async () => {
    const jobsetId = await jobsetWith(`let inherit (import ./lib.nix) mk; in {
      ca = mk "ca-${randomUUID()}" { __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256"; };
      plain = mk "plain-${randomUUID()}" { };
    }`);
    const saved = process.env['NIX_CONFIG'];
    process.env['NIX_CONFIG'] = 'extra-experimental-features = ca-derivations';
    try {
      await expect(
        evaluateJobsetJob(env.handlerDeps(), randomUUID(), { jobsetId, force: true, reason: 'api' }),
      ).resolves.toBe('succeeded');
    } finally {
      if (saved === undefined) delete process.env['NIX_CONFIG'];
      else process.env['NIX_CONFIG'] = saved;
    }
    const builds = await rows('SELECT job FROM builds WHERE jobset_id = $1 ORDER BY job', [jobsetId]);
    expect(builds.map((b) => b['job'])).toEqual(['ca', 'plain']);
  });

  it('whose evaluate-jobset job fails for good is failed, with the error on it and on the jobset', async () => {
    const jobsetId = await jobsetWith(
      `let inherit (import ./lib.nix) mk; in { a = mk "a-${randomUUID()}" { }; }`,
    );
    // A fault the evaluator cannot foresee: the database refuses this jobset's builds.
    await env.db.pool.query(`CREATE FUNCTION fc_spec_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault while recording builds'; END $$`);
    await env.db.pool.query(
      `CREATE TRIGGER fc_spec_fault BEFORE INSERT ON builds FOR EACH ROW
       WHEN (NEW.jobset_id = ${jobsetId}) EXECUTE FUNCTION fc_spec_fault()`,
    );
    // Awaited by stopDaemons.
    void env.startDaemon('evaluator', {
      FC_EVALUATOR__WORK_DIR: env.workDir,
      FC_EVALUATOR__POLL_INTERVAL: '1',
    });
    // No retries, so the job ends for good after this one attempt.
    const jobId = await env.boss.send(
      QueueName.EvaluateJobset,
      { jobsetId, force: true, reason: 'api' },
      { retryLimit: 0 },
    );
    const evaluation = await waitFor('the evaluation to be failed', async () => {
      const [e] = await rows('SELECT status, phase, error FROM evaluations WHERE queue_job_id = $1', [jobId]);
      return e?.['status'] === 'failed' ? e : undefined;
    });
    expect(evaluation['phase']).toBeNull();
    expect(evaluation['error']).toBe(
      'the evaluation failed after 1 attempt: injected fault while recording builds',
    );
    const [jobset] = await rows('SELECT error_message, error_at FROM jobsets WHERE id = $1', [jobsetId]);
    expect(jobset).toMatchObject({ error_message: evaluation['error'], error_at: expect.any(Date) });
    await env.stopDaemons();
  });

  it('is handed back when fc-evaluator stops during a git fetch that never answers, within the drain deadline', async () => {
    // A git server that accepts and stays silent.
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const url = `git://127.0.0.1:${port}/silent.git`;
    try {
      const { jobsetId } = await createJobset(env.db.pool, { repositoryUrl: url });
      const daemon = env.startDaemon('evaluator', {
        FC_EVALUATOR__WORK_DIR: env.workDir,
        FC_EVALUATOR__GIT_TIMEOUT: '600',
        FC_EVALUATOR__POLL_INTERVAL: '1',
      });
      await waitForLogRecord(daemon, (r) => r.message === 'ready', 'ready');
      const jobId = await requestEvaluation(env.db.pool, env.boss, { jobsetId, force: true, reason: 'api' });
      await waitFor('git to connect to the silent server', () =>
        Promise.resolve(sockets.length > 0 ? true : undefined),
      );

      const stopped = Date.now();
      // process.kill, not execa's kill, which would follow with SIGKILL after 5 s.
      process.kill(daemon.pid!, 'SIGTERM');
      const result = await daemon;
      expect([result.exitCode, result.signal]).toEqual([0, undefined]);
      expect(Date.now() - stopped).toBeLessThan((DRAIN_SECONDS + 15) * 1000);
      expect(String(result.stderr)).toContain('handing running evaluations back to the queue');
      // Handed back: the job waits for a retry, the evaluation is not failed, no git is left running.
      expect((await env.boss.getJobById(QueueName.EvaluateJobset, jobId!))?.state).toBe('retry');
      const [evaluation] = await rows('SELECT status, error FROM evaluations WHERE queue_job_id = $1', [
        jobId,
      ]);
      expect(evaluation).toEqual({ status: 'running', error: null });
      const gits = readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`127.0.0.1:${port}`);
          } catch {
            return false;
          }
        });
      expect(gits).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
