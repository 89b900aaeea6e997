// The built fc-evaluator daemon: polling, surviving SIGKILL mid-evaluation, and killing on start
// the Nix processes a SIGKILLed predecessor left running.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { requestEvaluation, type Boss } from '@fc/queue';
import type { TestDatabase } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  MK_NIX,
  tempDir,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
  waitFor,
} from './evaluation-fixtures';

let db: TestDatabase;
let boss: Boss;
let workDir: string;
const salt = randomUUID();

function startEvaluator(extraEnv: Record<string, string> = {}): ResultPromise {
  return env.startDaemon('evaluator', {
    ...extraEnv,
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: workDir,
    FC_EVALUATOR_HEARTBEAT_MS: '500',
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function evaluations(jobsetId: number) {
  return (await db.pool.query('SELECT * FROM evaluations WHERE jobset_id = $1 ORDER BY id', [jobsetId]))
    .rows as Record<string, unknown>[];
}

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-evaluator-daemon-');
  ({ db, boss, workDir } = env);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('fc-evaluator', () => {
  it('polls: a new commit is evaluated within one poll interval of being due', async () => {
    const repo = gitRepo({
      'release.nix': `{ one = (import ./lib.nix).mk "poll-one-${salt}" { }; }`,
      'lib.nix': MK_NIX,
    });
    const { jobsetId } = await createJobset(db.pool, { repositoryUrl: `file://${repo}`, checkInterval: 1 });
    const daemon = startEvaluator();
    const first = await waitFor('the first evaluation', async () =>
      (await evaluations(jobsetId)).find((e) => e['status'] === 'succeeded'),
    );
    const rev = commitFiles(repo, {
      'release.nix': `{ one = (import ./lib.nix).mk "poll-two-${salt}" { }; }`,
    });
    const committed = Date.now();
    const second = await waitFor('the new commit', async () =>
      (await evaluations(jobsetId)).find((e) => e['revision'] === rev && e['status'] === 'succeeded'),
    );
    // Due after check_interval (1 s), picked up by the next poll (1 s), evaluated: well under 10 s.
    expect(Date.now() - committed).toBeLessThan(10_000);
    expect(second['id']).not.toBe(first['id']);
    // Between the two, re-checks of the unchanged revision gave `unchanged` and no builds.
    const all = await evaluations(jobsetId);
    expect(all.filter((e) => e['status'] === 'succeeded')).toHaveLength(2);
    expect(all.filter((e) => e['status'] === 'unchanged').every((e) => e['nr_builds'] === 0)).toBe(true);
    daemon.kill('SIGTERM');
    const result = await daemon;
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it('survives SIGKILL mid-evaluation: the retry completes, with no duplicate evaluation or build', async () => {
    const slow = `builtins.foldl' (a: x: a + builtins.stringLength (builtins.toJSON (builtins.genList (i: i) 50))) 0 (builtins.genList (i: i) 400000)`;
    const repo = gitRepo({
      'release.nix': `let inherit (import ./lib.nix) mk; in {
        a = mk "kill-a-${salt}" { };
        slow = mk "kill-slow-${salt}" { n = toString (${slow}); };
        z = mk "kill-z-${salt}" { };
      }`,
      'lib.nix': MK_NIX,
    });
    const { jobsetId } = await createJobset(db.pool, { repositoryUrl: `file://${repo}`, checkInterval: 0 });
    const first = startEvaluator();
    const jobId = await requestEvaluation(db.pool, boss, { jobsetId, force: false, reason: 'api' });
    expect(jobId).not.toBeNull();
    await waitFor('the evaluating phase', async () =>
      (await evaluations(jobsetId)).find((e) => e['phase'] === 'evaluating'),
    );
    first.kill('SIGKILL');
    await first;
    void startEvaluator();
    const done = await waitFor(
      'the retried evaluation',
      async () => (await evaluations(jobsetId)).find((e) => e['status'] === 'succeeded'),
      90_000,
    );
    const all = await evaluations(jobsetId);
    expect(all).toHaveLength(1);
    expect(done['queue_job_id']).toBe(jobId);
    const builds = (
      await db.pool.query('SELECT job FROM builds WHERE jobset_id = $1 ORDER BY job', [jobsetId])
    ).rows;
    expect(builds.map((b: { job: string }) => b.job)).toEqual(['a', 'slow', 'z']);
    const job = await waitFor('the job to complete', async () => {
      const j = await boss.getJobById('evaluate-jobset', jobId!);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job?.retryCount).toBeGreaterThanOrEqual(1);
  }, 120_000);
  it('kills on start the Nix process group a SIGKILLed evaluator left running', async () => {
    // Only the evaluators of this test may take the evaluation.
    await env.stopDaemons();
    // The evaluation blocks, using no CPU, reading a FIFO nobody writes: only a kill ends it.
    const fifo = join(tempDir('fc-evaluator-fifo-'), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const repo = gitRepo({
      'release.nix': `{ wait = (import ./lib.nix).mk "fifo-${salt}" { n = builtins.readFile "${fifo}"; }; }`,
      'lib.nix': MK_NIX,
    });
    const { jobsetId } = await createJobset(db.pool, { repositoryUrl: `file://${repo}`, checkInterval: 0 });
    const unrestricted = { FC_EVALUATOR__RESTRICT_EVAL: 'false' };
    const first = startEvaluator(unrestricted);
    await requestEvaluation(db.pool, boss, { jobsetId, force: false, reason: 'api' });
    const groupsDir = join(workDir, 'process-groups');
    const pgid = await waitFor('a recorded Nix process group', async () => {
      if (!(await evaluations(jobsetId)).some((e) => e['phase'] === 'evaluating')) return undefined;
      const files = readdirSync(groupsDir).filter((f) => f.endsWith('.json'));
      return files.length === 1 ? Number(files[0]!.replace('.json', '')) : undefined;
    });
    first.kill('SIGKILL');
    await first;
    await new Promise((r) => setTimeout(r, 500));
    expect(groupAlive(pgid)).toBe(true);
    const second = startEvaluator(unrestricted);
    try {
      await waitFor(
        'the orphaned group to be killed',
        () => Promise.resolve(groupAlive(pgid) ? undefined : true),
        20_000,
      );
    } finally {
      // Let any reader (the retried evaluation) finish: open as a writer, write, close.
      const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
      writeSync(fd, 'x');
      closeSync(fd);
      // and any later reader reads a plain file.
      rmSync(fifo);
      writeFileSync(fifo, 'x');
    }
    second.kill('SIGTERM');
    await second;
  }, 60_000);
});
