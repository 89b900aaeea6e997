// The evaluate-jobset worker in-process, against real PostgreSQL, git and Nix.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import { type Boss } from '@fc/queue';
import { type TestDatabase } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  MK_NIX,
  tempDir,
  type JobsetSpec,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { fetchGitCheckout } from '../git/git-fetch';
import { evaluateJobsetJob, type EvaluatorDeps, type EvaluatorSettings } from './evaluate-jobset.handler';

// Evaluations spawn Nix and git: on a loaded, shared machine they take longer than jest's 5 s default.
jest.setTimeout(60_000);

let db: TestDatabase;
let boss: Boss;
let workDir: string;

const settings = (over: Partial<EvaluatorSettings> = {}): EvaluatorSettings => ({
  workDir,
  gitTimeout: 60,
  nixTimeout: 120,
  restrictEval: true,
  allowIfd: false,
  heartbeatMs: 1000,
  ...over,
});

function deps(over: Partial<EvaluatorSettings> = {}): EvaluatorDeps {
  return { pool: db.pool, boss, logger: createSilentLogger(), settings: settings(over) };
}

async function evaluate(jobsetId: number, force = false, over: Partial<EvaluatorSettings> = {}) {
  return evaluateJobsetJob(deps(over), randomUUID(), { jobsetId, force, reason: 'api' });
}

async function setup(spec: JobsetSpec) {
  return (await createJobset(db.pool, spec)).jobsetId;
}

async function rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

async function lastEvaluation(jobsetId: number) {
  const [e] = await rows<Record<string, unknown>>(
    'SELECT * FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1',
    [jobsetId],
  );
  return e!;
}

async function buildsOf(evaluationId: unknown) {
  return rows<Record<string, unknown>>(
    `SELECT b.*, eb.is_new FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id
     WHERE eb.evaluation_id = $1 ORDER BY b.job`,
    [evaluationId],
  );
}

async function errorsOf(evaluationId: unknown): Promise<Record<string, string>> {
  const list = await rows<{ job: string; message: string }>(
    'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1',
    [evaluationId],
  );
  return Object.fromEntries(list.map((r) => [r.job, r.message]));
}

// A unique salt per run, so outputs are never valid in the store from an earlier run.
const salt = randomUUID();

const RELEASE = `{ greeting ? "hello" }:
let inherit (import ./lib.nix) mk; in
{
  plain = mk "plain-${salt}" { inherit greeting; };
  with-meta = (mk "meta-${salt}" { }) // {
    meta = {
      description = "A job with metadata";
      homepage = "https://example.com/fc";
      license = [ { shortName = "MIT"; } "BSD" ];
      maintainers = [ "alice@example.com" { email = "bob@example.com"; } ];
      schedulingPriority = 50;
      timeout = 120;
    };
  };
  nested = {
    inner = { deep = mk "deep-${salt}" { }; };
    skipped = { recurseForDerivations = false; hidden = mk "hidden-${salt}" { }; };
  };
  not-a-job = 42;
  err-throw = throw "this job throws";
  err-assert = assert 1 == 2; mk "never" { };
  err-missing = ({ }).no-such-attribute;
  err-type = mk "bad-type-${salt}" { x = 1 + "one"; };
  after-errors = mk "after-${salt}" { };
  agg = mk "agg-${salt}" { _hydraAggregate = true; constituents = [ "plain" "nested.inner.deep" ]; };
  agg-glob = mk "agg-glob-${salt}" { _hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ "nested.*" ]; };
}
`;

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-work-');
  ({ db, boss, workDir } = env);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('a legacy jobset', () => {
  let jobsetId: number;
  let repo: string;
  let evaluation: Record<string, unknown>;
  let builds: Record<string, unknown>[];

  beforeAll(async () => {
    repo = gitRepo({ 'release.nix': RELEASE, 'lib.nix': MK_NIX });
    jobsetId = await setup({ repositoryUrl: `file://${repo}` });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    evaluation = await lastEvaluation(jobsetId);
    builds = await buildsOf(evaluation['id']);
  }, 60_000);

  it('records every job, nested ones by their dotted name, and only jobs', () => {
    expect(builds.map((b) => b['job'])).toEqual([
      'after-errors',
      'agg',
      'agg-glob',
      'nested.inner.deep',
      'plain',
      'with-meta',
    ]);
    expect(evaluation).toMatchObject({
      status: 'succeeded',
      nr_builds: 6,
      nr_new_builds: 6,
      has_new_builds: true,
    });
    expect(evaluation['revision']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('joins meta as Hydra does', () => {
    const b = builds.find((x) => x['job'] === 'with-meta')!;
    expect(b).toMatchObject({
      description: 'A job with metadata',
      homepage: 'https://example.com/fc',
      license: 'MIT, BSD',
      maintainers: 'alice@example.com, bob@example.com',
      priority: 50,
      timeout: 120,
      max_silent: 3600,
      finished: false,
      system: 'x86_64-linux',
    });
    expect(builds.find((x) => x['job'] === 'plain')).toMatchObject({ priority: 100, timeout: 36000 });
  });

  it('attributes each kind of evaluation error to its job, verbatim from Nix', async () => {
    const errors = await errorsOf(evaluation['id']);
    expect(Object.keys(errors).sort()).toEqual(['err-assert', 'err-missing', 'err-throw', 'err-type']);
    expect(errors['err-throw']).toContain('this job throws');
    expect(errors['err-assert']).toContain("assertion '(1 == 2)' failed");
    expect(errors['err-missing']).toContain("attribute 'no-such-attribute' missing");
    expect(errors['err-type']).toContain('cannot add a string to an integer');
  });

  it('links aggregates to their constituents', async () => {
    const links = await rows<{ aggregate: string; constituent: string }>(
      `SELECT a.job AS aggregate, c.job AS constituent FROM aggregate_constituents ac
       JOIN builds a ON a.id = ac.aggregate_id JOIN builds c ON c.id = ac.constituent_id
       WHERE a.evaluation_id = $1 ORDER BY 1, 2`,
      [evaluation['id']],
    );
    expect(links).toEqual([
      { aggregate: 'agg', constituent: 'nested.inner.deep' },
      { aggregate: 'agg', constituent: 'plain' },
      { aggregate: 'agg-glob', constituent: 'nested.inner.deep' },
    ]);
    expect(builds.find((b) => b['job'] === 'agg')!['is_aggregate']).toBe(true);
  });

  it('queues one build-derivation job per new build, in the same transaction', async () => {
    const jobs = await rows<{ id: string; data: { buildId: number }; priority: number }>(
      `SELECT id, data, priority FROM pgboss.job WHERE name = 'build-derivation'`,
    );
    const byBuild = new Map(jobs.map((j) => [j.data.buildId, j]));
    for (const b of builds) {
      expect(byBuild.get(b['id'] as number)?.id).toBe(b['queue_job_id']);
    }
    expect(byBuild.get(builds.find((b) => b['job'] === 'with-meta')!['id'] as number)!.priority).toBe(50);
  });

  it('gives "unchanged" for an unchanged revision, and re-evaluates when forced, reusing builds', async () => {
    expect(await evaluate(jobsetId)).toBe('unchanged');
    const unchanged = await lastEvaluation(jobsetId);
    expect(unchanged).toMatchObject({ status: 'unchanged', nr_builds: 0 });
    expect(await buildsOf(unchanged['id'])).toHaveLength(0);

    expect(await evaluate(jobsetId, true)).toBe('succeeded');
    const forced = await lastEvaluation(jobsetId);
    expect(forced).toMatchObject({ status: 'succeeded', forced: true, nr_builds: 6, nr_new_builds: 0 });
    const again = await buildsOf(forced['id']);
    expect(again.map((b) => b['id'])).toEqual(builds.map((b) => b['id']));
    expect(again.every((b) => b['is_new'] === false)).toBe(true);
  });

  it('creates a build only for the job that changed in a new commit', async () => {
    commitFiles(repo, { 'release.nix': RELEASE.replace(`mk "plain-${salt}" {`, `mk "plain2-${salt}" {`) });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const next = await lastEvaluation(jobsetId);
    const nextBuilds = await buildsOf(next['id']);
    expect(nextBuilds.filter((b) => b['is_new']).map((b) => b['job'])).toEqual(['agg', 'plain']);
    expect(next).toMatchObject({ nr_builds: 6, nr_new_builds: 2 });
  });
});

describe('outputs already valid', () => {
  it('records cached finished builds without a build job', async () => {
    const repo = gitRepo({
      'release.nix': `{ one = builtins.derivation { name = "fc-cached-${salt}"; system = builtins.currentSystem;
        builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }; }`,
    });
    const jobsetId = await setup({ repositoryUrl: `file://${repo}` });
    // Build it first through plain Nix, so its output is valid.
    const { execFileSync } = await import('node:child_process');
    execFileSync('nix-build', ['--no-out-link', `${repo}/release.nix`], { stdio: 'ignore' });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const [b] = await buildsOf((await lastEvaluation(jobsetId))['id']);
    expect(b).toMatchObject({ finished: true, build_status: 0, is_cached: true, queue_job_id: null });
  });

  it('never records an aggregate finished before its named constituents: it is queued instead', async () => {
    const repo = gitRepo({
      'lib.nix': MK_NIX,
      'release.nix': `let inherit (import ./lib.nix) mk; in {
        part = mk "fc-part-${salt}" { };
        built = mk "fc-built-${salt}" { };
        agg = mk "fc-agg-${salt}" { _hydraAggregate = true; constituents = [ "part" ]; };
        agg-of-built = mk "fc-agg-of-built-${salt}" { _hydraAggregate = true; constituents = [ "built" ]; };
      }`,
    });
    const jobsetId = await setup({ repositoryUrl: `file://${repo}` });
    // The aggregates' own outputs (and "built") are valid; "part" is not built.
    const { execFileSync } = await import('node:child_process');
    for (const attr of ['agg', 'agg-of-built', 'built']) {
      execFileSync('nix-build', ['--no-out-link', '-A', attr, `${repo}/release.nix`], { stdio: 'ignore' });
    }
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const builds = await buildsOf((await lastEvaluation(jobsetId))['id']);
    const byJob = new Map(builds.map((b) => [b['job'], b]));
    expect(byJob.get('part')).toMatchObject({ finished: false, is_cached: false });
    expect(byJob.get('agg')).toMatchObject({ finished: false, is_cached: false, build_status: null });
    const [job] = await rows<{ state: string }>(
      `SELECT state FROM pgboss.job WHERE name = 'build-derivation' AND id::text = $1`,
      [byJob.get('agg')!['queue_job_id']],
    );
    expect(job?.state).toBe('created');
    // With every constituent finished (cached), the aggregate is cached too.
    expect(byJob.get('built')).toMatchObject({ finished: true, is_cached: true });
    expect(byJob.get('agg-of-built')).toMatchObject({ finished: true, is_cached: true, build_status: 0 });
  });
});

describe('failures of the whole jobset', () => {
  it('records a fetch failure on the jobset, credentials removed, and stays schedulable', async () => {
    const jobsetId = await setup({ repositoryUrl: 'https://user:s3cret@127.0.0.1:1/nothing.git' });
    expect(await evaluate(jobsetId)).toBe('fetch-failed');
    const [j] = await rows<Record<string, unknown>>('SELECT * FROM jobsets WHERE id = $1', [jobsetId]);
    expect(j!['error_message']).toContain('git fetch failed');
    expect(j!['error_message']).not.toContain('s3cret');
    expect(j!['error_at']).toBeInstanceOf(Date);
    expect(j!['state']).toBe('enabled');
    const e = await lastEvaluation(jobsetId);
    expect(e['status']).toBe('failed');
    expect(String(e['error'])).not.toContain('s3cret');
  });

  it('rejects a repository URL or branch beginning with "-", running nothing', async () => {
    const marker = join(tempDir('fc-eval-marker-'), 'pwned');
    const jobsetId = await setup({ repositoryUrl: `--upload-pack=touch ${marker}` });
    expect(await evaluate(jobsetId)).toBe('fetch-failed');
    expect((await lastEvaluation(jobsetId))['error']).toContain("begins with '-'");
    await expect(
      fetchGitCheckout({
        url: 'file:///x',
        branch: '--upload-pack=touch',
        dir: tempDir('fc-eval-x-'),
        timeoutMs: 5000,
      }),
    ).rejects.toThrow("invalid branch --upload-pack=touch: it begins with '-'");
    expect(existsSync(marker)).toBe(false);
  });

  it('fails the evaluation with a clear message after evaluator.nix_timeout, killing Nix', async () => {
    const repo = gitRepo({
      'release.nix': `{ slow = builtins.foldl' (a: x: a + builtins.stringLength (builtins.toJSON (builtins.genList (i: i) 50))) 0 (builtins.genList (i: i) 100000000); }`,
    });
    const jobsetId = await setup({ repositoryUrl: `file://${repo}` });
    const started = Date.now();
    expect(await evaluate(jobsetId, false, { nixTimeout: 2 })).toBe('eval-failed');
    expect(Date.now() - started).toBeLessThan(30_000);
    const e = await lastEvaluation(jobsetId);
    expect(e['error']).toContain('timed out after 2 s (evaluator.nix_timeout)');
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(repo);
  });

  it('records a syntax error as the evaluation error', async () => {
    const repo = gitRepo({ 'release.nix': '{ a = ; }' });
    const jobsetId = await setup({ repositoryUrl: `file://${repo}` });
    expect(await evaluate(jobsetId)).toBe('eval-failed');
    expect((await lastEvaluation(jobsetId))['error']).toContain('syntax error');
  });
});

describe('inputs', () => {
  it('passes a git input as { outPath, rev, revCount, shortRev } and string/boolean/nix inputs', async () => {
    const src = gitRepo({ 'data.txt': 'one' });
    const rev = commitFiles(src, { 'data.txt': 'two' });
    const repo = gitRepo({
      'release.nix': `{ src, name, flag, n }: {
        job = builtins.derivation { name = "input-\${name}-\${src.shortRev}-\${toString src.revCount}-\${if flag then "t" else "f"}-\${toString n}-${salt}";
          system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "cat \${src}/data.txt > $out" ];
          rev = src.rev; };
      }`,
    });
    const jobsetId = await setup({
      repositoryUrl: `file://${repo}`,
      inputs: [
        { name: 'src', type: 'git', value: `file://${src}` },
        { name: 'name', type: 'string', value: 'x' },
        { name: 'flag', type: 'boolean', value: 'true' },
        { name: 'n', type: 'nix', value: '1 + 2' },
      ],
    });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const e = await lastEvaluation(jobsetId);
    const [b] = await buildsOf(e['id']);
    expect(b!['nix_name']).toBe(`input-x-${rev.slice(0, 7)}-2-t-3-${salt}`);
    expect((e['input_revisions'] as Record<string, { rev?: string }>)['src']!.rev).toBe(rev);
    // A new commit of the input gives one new build; nothing else changes.
    commitFiles(src, { 'data.txt': 'three' });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    expect(await lastEvaluation(jobsetId)).toMatchObject({ nr_new_builds: 1 });
    expect(await evaluate(jobsetId)).toBe('unchanged');
  });

  it('passes a secret input to Nix but keeps only its hash, and sees it change', async () => {
    const repo = gitRepo({
      'release.nix': `{ token }: {
        job = builtins.derivation { name = "secret-\${builtins.substring 0 3 token}-${salt}";
          system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; };
      }`,
    });
    const jobsetId = await setup({
      repositoryUrl: `file://${repo}`,
      inputs: [{ name: 'token', type: 'string', value: 'abc-secret-1', secret: true }],
    });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const e = await lastEvaluation(jobsetId);
    expect((await buildsOf(e['id']))[0]!['nix_name']).toBe(`secret-abc-${salt}`);
    const stored = JSON.stringify(e['input_revisions']);
    expect(stored).not.toContain('abc-secret-1');
    expect((e['input_revisions'] as Record<string, unknown>)['token']).toEqual({
      type: 'string',
      secret: true,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await db.pool.query(`UPDATE jobset_inputs SET value = 'abc-secret-2' WHERE jobset_id = $1`, [jobsetId]);
    expect(await evaluate(jobsetId)).toBe('succeeded');
  });
});

describe('a flake jobset', () => {
  it('evaluates hydraJobs, else checks, at the fetched revision', async () => {
    const lib = MK_NIX;
    const withHydraJobs = gitRepo({
      'flake.nix': `{ outputs = { self }: { hydraJobs = { a = (import ./lib.nix).mk "flake-a-${salt}" { }; nested.b = (import ./lib.nix).mk "flake-b-${salt}" { }; }; checks = { c = (import ./lib.nix).mk "flake-c" { }; }; }; }`,
      'lib.nix': lib,
    });
    const withChecks = gitRepo({
      'flake.nix': `{ outputs = { self }: { checks = { c = (import ./lib.nix).mk "flake-c-${salt}" { }; }; }; }`,
      'lib.nix': lib,
    });
    const j1 = await setup({
      repositoryUrl: `file://${withHydraJobs}`,
      flakeMode: true,
      nixExpression: 'flake.nix',
    });
    const j2 = await setup({ repositoryUrl: `file://${withChecks}`, flakeMode: true, nixExpression: '.' });
    expect(await evaluate(j1)).toBe('succeeded');
    expect(await evaluate(j2)).toBe('succeeded');
    const e1 = await lastEvaluation(j1);
    expect((await buildsOf(e1['id'])).map((b) => b['job'])).toEqual(['a', 'nested.b']);
    expect(e1['flake_url']).toBe(`git+file://${withHydraJobs}?rev=${String(e1['revision'])}`);
    expect((await buildsOf((await lastEvaluation(j2))['id'])).map((b) => b['job'])).toEqual(['c']);
  });
});
