// Attacks on the evaluator: one jobset's expression reading another jobset's checkout; and the
// evaluator (which builds for import-from-derivation) saying at start whether Nix sandboxes builds.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitForLogRecord } from '@fc/testing';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { checkoutBase } from '../work-dirs';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

jest.setTimeout(60_000);

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-isolation-');
}, 60_000);

afterAll(async () => {
  await env.stop();
});

async function evaluate(jobsetId: number) {
  return evaluateJobsetJob(env.handlerDeps(), randomUUID(), { jobsetId, force: true, reason: 'api' });
}

async function row(text: string, values: unknown[]): Promise<Record<string, unknown>> {
  return (await env.db.pool.query(text, values)).rows[0] as Record<string, unknown>;
}

describe('with restrict_eval on', () => {
  it("refuses a jobset's expression another jobset's checkout, and shows no byte of it", async () => {
    const secret = `secret-${randomUUID()}`;
    const a = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': `{ }`, 'secret.txt': secret })}`,
    });
    expect(await evaluate(a.jobsetId)).toBe('succeeded');
    const stolen = join(checkoutBase(env.workDir, a.jobsetId), 'repository', 'secret.txt');

    // B reads A's checkout at the top level (an evaluation error would publish it) and in a job.
    const b = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({
        'lib.nix': MK_NIX,
        'release.nix': `let inherit (import ./lib.nix) mk; in
          { own = mk "own-${randomUUID()}" { text = builtins.readFile ./lib.nix; };
            leak = mk (builtins.readFile ${stolen}) { }; }`,
        'top.nix': `throw (builtins.readFile ${stolen})`,
      })}`,
    });
    expect(await evaluate(b.jobsetId)).toBe('succeeded');
    const evaluation = await row('SELECT * FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1', [
      b.jobsetId,
    ]);
    const jobError = await row(
      'SELECT message FROM evaluation_errors WHERE evaluation_id = $1 AND job = $2',
      [evaluation['id'], 'leak'],
    );
    expect(jobError['message']).toContain('forbidden in restricted mode');
    expect(jobError['message']).not.toContain(secret);
    // Its own files stay readable.
    expect(
      await row('SELECT count(*)::int AS n FROM builds WHERE evaluation_id = $1 AND job = $2', [
        evaluation['id'],
        'own',
      ]),
    ).toEqual({ n: 1 });

    await env.db.pool.query(`UPDATE jobsets SET nix_expression = 'top.nix' WHERE id = $1`, [b.jobsetId]);
    expect(await evaluate(b.jobsetId)).toBe('eval-failed');
    const failed = await row('SELECT error FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1', [
      b.jobsetId,
    ]);
    expect(failed['error']).toContain('forbidden in restricted mode');
    expect(failed['error']).not.toContain(secret);
    const jobset = await row('SELECT error_message FROM jobsets WHERE id = $1', [b.jobsetId]);
    expect(jobset['error_message']).not.toContain(secret);
  });
});

describe('a repository URL the API would refuse, in a row written before its rules', () => {
  it("is refused before git runs: git's fd:: transport would wait on a descriptor until git_timeout", async () => {
    for (const [url, problem] of [
      ['fd::17', "git's fd:: transport is not supported"],
      ['ext::sh -c touch% /tmp/fc-pwned', "git's ext:: transport is not supported"],
    ]) {
      const { jobsetId } = await createJobset(env.db.pool, { repositoryUrl: url! });
      const started = Date.now();
      expect(await evaluate(jobsetId)).toBe('fetch-failed');
      expect(Date.now() - started).toBeLessThan(20_000);
      const jobset = await row('SELECT error_message FROM jobsets WHERE id = $1', [jobsetId]);
      expect(jobset['error_message']).toContain(`invalid repository URL ${url}: ${problem}`);
    }
  });
});

describe('fc-evaluator at start', () => {
  it('says whether Nix sandboxes builds, warning loudly when it does not', async () => {
    const sandboxed = env.startDaemon('evaluator', { FC_EVALUATOR__WORK_DIR: env.workDir });
    expect(
      await waitForLogRecord(sandboxed, (r) => r.message.includes('sandboxed'), 'the sandbox line'),
    ).toMatchObject({ level: 'info', message: 'builds are sandboxed' });
    const unsandboxed = env.startDaemon('evaluator', {
      FC_EVALUATOR__WORK_DIR: env.workDir,
      NIX_CONFIG: 'sandbox = false',
    });
    const warning = await waitForLogRecord(
      unsandboxed,
      (r) => r.message.includes('SANDBOXED'),
      'the warning',
    );
    expect(warning.level).toBe('warn');
    expect(warning.message).toContain('BUILDS ARE NOT SANDBOXED: sandbox = false');
    await env.stopDaemons();
  });
});
