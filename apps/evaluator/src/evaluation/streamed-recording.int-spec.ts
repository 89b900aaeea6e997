// The recording streamed in batches (evaluation-recorder.ts), in-process against real PostgreSQL, git
// and Nix, on a jobset larger than one batch: every job recorded once with its outputs and build job,
// nothing visible before the commit, and a second evaluation with 1% of the jobs changed recording
// only those (the rest reused, aggregate links following the new builds).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import type { TestDatabase } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';
import { RECORD_BATCH } from './evaluation-recorder';

jest.setTimeout(180_000);

const TOP = 1000;
const NESTED = 1500;
const NAMED = 300;
const salt = randomUUID();

/** TOP jobs at the top level, NESTED in `pkgs.set`, a broken job, and `all`, an aggregate. */
function release(changed: boolean): string {
  return `let
  mk = name: i: (derivation {
    name = "\${name}-\${toString i}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo ${salt} \${toString i}${changed ? '${if i - (i / 100) * 100 == 0 then " changed" else ""}' : ''} > $out" ];
  }) // { meta = { description = "job \${toString i}"; license = [ { shortName = "MIT"; } "BSD" ]; }; };
  top = builtins.listToAttrs (builtins.genList (i: { name = "job\${toString i}"; value = mk "top" i; }) ${TOP});
  nested = builtins.listToAttrs (builtins.genList (i: { name = "n\${toString i}"; value = mk "nested" (${TOP} + i); }) ${NESTED});
in top // {
  pkgs = { recurseForDerivations = true; set = nested // { recurseForDerivations = true; }; };
  broken = throw "this job is broken";
  all = (mk "all" 0) // {
    _hydraAggregate = true;
    constituents = [ top.job1 top.job2 ] ++ builtins.genList (i: "pkgs.set.n\${toString i}") ${NAMED};
  };
}
`;
}

let env: EvaluatorTestEnv;
let db: TestDatabase;
let jobsetId: number;
let repo: string;

async function rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

/** Evaluates, counting the jobset's builds every 20 ms meanwhile; returns every count seen. */
async function evaluateWatching(): Promise<number[]> {
  const seen: number[] = [];
  let done = false;
  const deps = env.handlerDeps();
  const run = evaluateJobsetJob({ ...deps, logger: createSilentLogger() }, randomUUID(), {
    jobsetId,
    force: true,
    reason: 'api',
  }).finally(() => (done = true));
  while (!done) {
    const [c] = await rows<{ n: number }>('SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1', [
      jobsetId,
    ]);
    seen.push(c!.n);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await run).toBe('succeeded');
  return seen;
}

async function evaluations() {
  return rows<{ id: number; nr_builds: number; nr_new_builds: number }>(
    'SELECT id, nr_builds, nr_new_builds FROM evaluations WHERE jobset_id = $1 ORDER BY id',
    [jobsetId],
  );
}

async function membersOf(evaluationId: number) {
  return rows<{ job: string; id: number; is_new: boolean; outputs: number; queue_job_id: string | null }>(
    `SELECT b.job, b.id, eb.is_new, b.queue_job_id,
       (SELECT count(*)::int FROM build_outputs o WHERE o.build_id = b.id) AS outputs
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id WHERE eb.evaluation_id = $1 ORDER BY b.job`,
    [evaluationId],
  );
}

async function constituentsOf(evaluationId: number): Promise<Map<string, number>> {
  const list = await rows<{ job: string; id: number }>(
    `SELECT c.job, c.id FROM evaluation_builds eb
       JOIN builds a ON a.id = eb.build_id AND a.job = 'all'
       JOIN aggregate_constituents ac ON ac.aggregate_id = a.id
       JOIN builds c ON c.id = ac.constituent_id
     WHERE eb.evaluation_id = $1`,
    [evaluationId],
  );
  return new Map(list.map((r) => [r.job, r.id]));
}

const JOBS = TOP + NESTED + 1;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-streamed-recording-');
  db = env.db;
  repo = gitRepo({ 'release.nix': release(false) });
  ({ jobsetId } = await createJobset(db.pool, { repositoryUrl: `file://${repo}` }));
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('an evaluation of more jobs than one recording batch', () => {
  let first: { id: number; nr_builds: number; nr_new_builds: number };
  let firstMembers: Awaited<ReturnType<typeof membersOf>>;

  beforeAll(async () => {
    expect(JOBS).toBeGreaterThan(RECORD_BATCH);
    const seen = await evaluateWatching();
    // The builds appear at once, at the commit: no count between none and all was ever seen.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((n) => n !== 0 && n !== JOBS)).toEqual([]);
    first = (await evaluations())[0]!;
    firstMembers = await membersOf(first.id);
  });

  it('records every job once, new, with its output, its metadata and its build job', async () => {
    expect(first).toMatchObject({ nr_builds: JOBS, nr_new_builds: JOBS });
    expect(firstMembers).toHaveLength(JOBS);
    expect(new Set(firstMembers.map((m) => m.job)).size).toBe(JOBS);
    expect(firstMembers.every((m) => m.is_new && m.outputs === 1 && m.queue_job_id !== null)).toBe(true);
    expect(firstMembers.map((m) => m.job)).toEqual(
      expect.arrayContaining(['job0', `job${TOP - 1}`, 'pkgs.set.n0', `pkgs.set.n${NESTED - 1}`, 'all']),
    );
    const [queued] = await rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM builds b JOIN pgboss.job j ON j.id::text = b.queue_job_id
       WHERE b.evaluation_id = $1 AND j.name = 'build-derivation'`,
      [first.id],
    );
    expect(queued!.n).toBe(JOBS);
    const [meta] = await rows<Record<string, unknown>>(
      `SELECT nix_name, description, license FROM builds WHERE evaluation_id = $1 AND job = 'pkgs.set.n7'`,
      [first.id],
    );
    expect(meta).toEqual({
      nix_name: `nested-${TOP + 7}`,
      description: `job ${TOP + 7}`,
      license: 'MIT, BSD',
    });
    const errors = await rows<{ job: string; message: string }>(
      'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1',
      [first.id],
    );
    expect(errors.map((e) => e.job)).toEqual(['broken']);
    expect(errors[0]!.message).toContain('this job is broken');
  });

  it('links the aggregate to each constituent, named or given as a derivation', async () => {
    const links = await constituentsOf(first.id);
    expect(links.size).toBe(NAMED + 2);
    const byJob = new Map(firstMembers.map((m) => [m.job, m.id]));
    for (const job of ['job1', 'job2', 'pkgs.set.n0', `pkgs.set.n${NAMED - 1}`]) {
      expect(links.get(job)).toBe(byJob.get(job));
    }
  });

  describe('evaluated again with 1% of the jobs changed', () => {
    let second: { id: number; nr_builds: number; nr_new_builds: number };
    let secondMembers: Awaited<ReturnType<typeof membersOf>>;
    // Every 100th job: job0, job100, ..., and in the nested set the jobs numbered TOP + 100k.
    const changed = Array.from({ length: JOBS - 1 }, (_, i) => i)
      .filter((i) => i % 100 === 0)
      .map((i) => (i < TOP ? `job${i}` : `pkgs.set.n${i - TOP}`));

    beforeAll(async () => {
      commitFiles(repo, { 'release.nix': release(true) });
      const seen = await evaluateWatching();
      expect(seen.filter((n) => n !== JOBS && n !== JOBS + changed.length + 1)).toEqual([]);
      second = (await evaluations())[1]!;
      secondMembers = await membersOf(second.id);
    });

    it('records new builds for the changed jobs (and the aggregate over them) and reuses the others', () => {
      expect(second).toMatchObject({ nr_builds: JOBS, nr_new_builds: changed.length + 1 });
      const fresh = secondMembers.filter((m) => m.is_new).map((m) => m.job);
      expect(fresh.sort()).toEqual([...changed, 'all'].sort());
      const before = new Map(firstMembers.map((m) => [m.job, m.id]));
      for (const m of secondMembers.filter((x) => !x.is_new)) expect(m.id).toBe(before.get(m.job));
    });

    it("links the new aggregate to the changed constituents' new builds and the others' reused ones", async () => {
      const links = await constituentsOf(second.id);
      const byJob = new Map(secondMembers.map((m) => [m.job, m.id]));
      expect(links.size).toBe(NAMED + 2);
      expect(links.get('pkgs.set.n0')).toBe(byJob.get('pkgs.set.n0'));
      expect(links.get('pkgs.set.n0')).not.toBe(firstMembers.find((m) => m.job === 'pkgs.set.n0')!.id);
      expect(links.get('job1')).toBe(firstMembers.find((m) => m.job === 'job1')!.id);
    });
  });
});

describe('a jobset whose expression is one derivation, not a set of jobs', () => {
  it('records no build, and the evaluation fails saying why', async () => {
    const single = gitRepo({
      'release.nix': `derivation { name = "single-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }`,
    });
    const { jobsetId: id } = await createJobset(db.pool, { repositoryUrl: `file://${single}` });
    const outcome = await evaluateJobsetJob(env.handlerDeps(), randomUUID(), {
      jobsetId: id,
      force: true,
      reason: 'api',
    });
    const [e] = await rows<{ status: string; error: string }>(
      'SELECT status, error FROM evaluations WHERE jobset_id = $1',
      [id],
    );
    expect(outcome).toBe('eval-failed');
    expect(e).toEqual({
      status: 'failed',
      error: expect.stringContaining(
        'the jobset expression is a single derivation; it must be an attribute set of jobs',
      ),
    });
    const [b] = await rows<{ n: number }>('SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1', [id]);
    expect(b!.n).toBe(0);
  });
});
