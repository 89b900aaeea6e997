// A flake jobset's nix_expression as the FC README's users write it: a directory holding flake.nix,
// or an output attribute path (hydraJobs, checks, packages.x86_64-linux); anything else is an
// evaluation error naming the field.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

jest.setTimeout(60_000);

let env: EvaluatorTestEnv;
const salt = randomUUID();

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-flake-expr-');
}, 60_000);

afterAll(async () => {
  await env.stop();
});

const FLAKE = `{ outputs = { self }: let inherit (import ./lib.nix) mk; in {
  hydraJobs = { h = mk "h-${salt}" { }; };
  checks = { c = mk "c-${salt}" { }; };
  packages.x86_64-linux = { p = mk "p-${salt}" { }; q = mk "q-${salt}" { }; };
}; }`;

async function evaluateWith(repo: string, nixExpression: string) {
  const { jobsetId } = await createJobset(env.db.pool, {
    repositoryUrl: `file://${repo}`,
    flakeMode: true,
    nixExpression,
  });
  const outcome = await evaluateJobsetJob(
    {
      pool: env.db.pool,
      boss: env.boss,
      logger: createSilentLogger(),
      settings: {
        workDir: env.workDir,
        gitTimeout: 60,
        nixTimeout: 120,
        restrictEval: true,
        allowIfd: false,
        heartbeatMs: 1000,
      },
    },
    randomUUID(),
    { jobsetId, force: false, reason: 'api' },
  );
  const { rows } = await env.db.pool.query<{ id: string; error: string | null }>(
    'SELECT id, error FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1',
    [jobsetId],
  );
  const evaluation = rows[0]!;
  const jobs = await env.db.pool.query<{ job: string }>(
    'SELECT b.job FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id WHERE eb.evaluation_id = $1 ORDER BY b.job',
    [evaluation.id],
  );
  return { outcome, error: evaluation.error, jobs: jobs.rows.map((r) => r.job) };
}

describe("a flake jobset's nix_expression", () => {
  let repo: string;
  beforeAll(() => {
    repo = gitRepo({ 'flake.nix': FLAKE, 'lib.nix': MK_NIX, 'sub/flake.nix': FLAKE, 'sub/lib.nix': MK_NIX });
  });

  it.each([
    ['hydraJobs', ['h']],
    ['checks', ['c']],
    ['packages.x86_64-linux', ['p', 'q']],
    ['.', ['h']],
    ['sub', ['h']],
  ])('%s evaluates %j', async (expression, jobs) => {
    const r = await evaluateWith(repo, expression);
    expect(r).toEqual({ outcome: 'succeeded', error: null, jobs });
  });

  it('that is neither a directory with flake.nix nor an output attribute fails naming the field', async () => {
    const r = await evaluateWith(repo, 'packages.aarch64-linux');
    expect(r.outcome).toBe('eval-failed');
    expect(r.error).toContain('nix_expression packages.aarch64-linux: the flake has no output attribute');
    const bad = await evaluateWith(repo, 'no such/dir');
    // Found before Nix runs, with the jobset's inputs (the outcome of every input-side failure).
    expect(bad.outcome).toBe('fetch-failed');
    expect(bad.error).toContain(
      'nix_expression "no such/dir": a flake jobset\'s nix_expression is a directory',
    );
  });
});
