// Hydra's evaluation semantics through the built fc-evaluator daemon, with FC's own fixtures:
// - broken aggregates, as hydra-eval-jobset treats them: with builds to record, the whole evaluation
//   fails with Hydra's jobset error and records nothing; with every job broken, it succeeds with
//   per-job errors. The daemon's log says what nix-eval-jobs says.
// - jobs that are functions, called with the jobset's inputs as nix-eval-jobs calls them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requestEvaluation } from '@fc/queue';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';

const salt = randomUUID();
let env: EvaluatorTestEnv;
const logLines: Record<string, unknown>[] = [];

const FIXTURES = {
  // A named constituent that does not exist, and one that is null (not a job either).
  missing: `let inherit (import ./lib.nix) mk; in {
    tool = mk "tool-${salt}" { };
    nothing = null;
    release = mk "release-${salt}" { _hydraAggregate = true; constituents = [ "tool" "nothing" ]; };
  }`,
  noMatches: `let inherit (import ./lib.nix) mk; in {
    docs = mk "docs-${salt}" { };
    gate = mk "gate-${salt}" { _hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ "checks.*" ]; };
  }`,
  // first -> second -> third -> first: named by the back edge third -> first.
  cycle: `let inherit (import ./lib.nix) mk; in {
    lib = mk "lib-${salt}" { };
    first = mk "first-${salt}" { _hydraAggregate = true; constituents = [ "second" ]; };
    second = mk "second-${salt}" { _hydraAggregate = true; _hydraGlobConstituents = true; constituents = [ "th*" ]; };
    third = mk "third-${salt}" { _hydraAggregate = true; constituents = [ "first" "lib" ]; };
  }`,
  // Nothing but a cycle: nothing to record, so the evaluation succeeds with per-job errors.
  onlyCycle: `let inherit (import ./lib.nix) mk; in {
    ping = mk "ping-${salt}" { _hydraAggregate = true; constituents = [ "pong" ]; };
    pong = mk "pong-${salt}" { _hydraAggregate = true; constituents = [ "ping" ]; };
  }`,
  // Attributes that are functions are called with the inputs (greeting, flag).
  functions: `{ greeting ? "unset" }: let inherit (import ./lib.nix) mk; in {
    plain = mk "plain-\${greeting}-${salt}" { };
    named = { greeting, flag }: mk "named-\${greeting}-${salt}" { inherit flag; };
    everything = { ... }@args: mk "everything-\${args.greeting}-\${toString args.flag}-${salt}" { };
    defaulted = { absent ? "default" }: mk "defaulted-\${absent}-${salt}" { };
    missing = { absent }: mk "missing-${salt}" { };
    nested = { set = { greeting }: { inner = mk "inner-\${greeting}-${salt}" { }; }; };
    lambda = x: mk "lambda-${salt}" { };
  }`,
  // The jobset itself cannot be evaluated: Hydra fails the evaluation with Nix's message.
  topThrow: `let inherit (import ./lib.nix) mk; in
    if true then throw "the release is broken ${salt}" else { tool = mk "tool-${salt}" { }; }`,
  topAssert: `let inherit (import ./lib.nix) mk; in
    assert 1 == 2; { tool = mk "tool-${salt}" { }; }`,
};
type Fixture = keyof typeof FIXTURES;
const INPUTS: Partial<Record<Fixture, { name: string; type: string; value: string }[]>> = {
  functions: [
    { name: 'greeting', type: 'string', value: 'hello' },
    { name: 'flag', type: 'boolean', value: 'true' },
  ],
};
const jobsets = new Map<Fixture, number>();

async function finished(jobsetId: number) {
  return waitFor(
    `jobset ${jobsetId}'s evaluation`,
    async () => {
      const { rows } = await env.db.pool.query(
        `SELECT e.id, e.status, e.error, j.error_message FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id
       WHERE e.jobset_id = $1 AND e.finished_at IS NOT NULL`,
        [jobsetId],
      );
      return rows[0] as
        { id: number; status: string; error: string | null; error_message: string | null } | undefined;
    },
    90_000,
  );
}

async function count(table: 'builds' | 'evaluation_errors', evaluationId: number): Promise<number> {
  const sql =
    table === 'builds'
      ? 'SELECT count(*)::int AS n FROM evaluation_builds WHERE evaluation_id = $1'
      : 'SELECT count(*)::int AS n FROM evaluation_errors WHERE evaluation_id = $1';
  return ((await env.db.pool.query(sql, [evaluationId])).rows[0] as { n: number }).n;
}

function logged(
  message: string,
  jobsetId: number,
  evaluationId: number,
): Record<string, unknown> | undefined {
  return logLines.find(
    (l) => l['message'] === message && l['jobsetId'] === jobsetId && l['evaluationId'] === evaluationId,
  );
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-aggregates-');
  for (const [name, release] of Object.entries(FIXTURES) as [Fixture, string][]) {
    const repo = gitRepo({ 'release.nix': release, 'lib.nix': MK_NIX });
    const inputs = INPUTS[name] ?? [];
    jobsets.set(
      name,
      (await createJobset(env.db.pool, { repositoryUrl: `file://${repo}`, inputs })).jobsetId,
    );
  }
  const daemon = env.startDaemon('evaluator', {
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
  });
  let partial = '';
  daemon.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  for (const jobsetId of jobsets.values()) {
    await requestEvaluation(env.db.pool, env.boss, { jobsetId, force: false, reason: 'api' });
  }
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('broken aggregates (hydra-eval-jobset)', () => {
  it('a missing or null named constituent fails the whole evaluation, recording nothing', async () => {
    const jobsetId = jobsets.get('missing')!;
    const e = await finished(jobsetId);
    expect(e.status).toBe('failed');
    expect(e.error_message).toBe('aggregate job ‘release’ failed with the error: nothing: does not exist');
    expect(await count('builds', e.id)).toBe(0);
    expect(
      logged("aggregate job 'release' references non-existent job 'nothing'", jobsetId, e.id),
    ).toMatchObject({
      level: 'error',
    });
  }, 100_000);

  it('a glob without matches fails it with the pattern named', async () => {
    const jobsetId = jobsets.get('noMatches')!;
    const e = await finished(jobsetId);
    expect(e.status).toBe('failed');
    expect(e.error).toBe(
      'aggregate job ‘gate’ failed with the error: checks.*: constituent glob pattern had no matches',
    );
    expect(e.error_message).toBe(e.error);
    expect(await count('builds', e.id)).toBe(0);
    expect(
      logged(
        "aggregate job 'gate' references constituent glob pattern 'checks.*' with no matches",
        jobsetId,
        e.id,
      ),
    ).toMatchObject({ level: 'warn' });
  }, 100_000);

  it('a cycle is named by its first back edge, and fails it', async () => {
    const jobsetId = jobsets.get('cycle')!;
    const e = await finished(jobsetId);
    expect(e.status).toBe('failed');
    expect(e.error_message).toBe(
      'aggregate job ‘first’ failed with the error: Dependency cycle: first <-> third',
    );
    expect(await count('builds', e.id)).toBe(0);
    expect(logged("Found dependency cycle between jobs 'first' and 'third'", jobsetId, e.id)).toBeDefined();
  }, 100_000);

  it('with every job broken there is nothing to record: the evaluation succeeds with per-job errors', async () => {
    const jobsetId = jobsets.get('onlyCycle')!;
    const e = await finished(jobsetId);
    expect(e.status).toBe('succeeded');
    // The per-job errors are the evaluation's; the jobset's error is for whole-evaluation failures.
    expect(e.error_message).toBeNull();
    expect(await count('builds', e.id)).toBe(0);
    const { rows } = await env.db.pool.query(
      'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1 ORDER BY job',
      [e.id],
    );
    expect(rows).toEqual([
      { job: 'ping', message: 'Dependency cycle: ping <-> pong' },
      { job: 'pong', message: 'Dependency cycle: ping <-> pong' },
    ]);
  }, 100_000);
});

describe('a jobset expression that fails as a whole (hydra-eval-jobset)', () => {
  it.each([
    ['topThrow', `the release is broken ${salt}`],
    ['topAssert', 'assertion'],
  ] as const)(
    "%s fails the evaluation with Nix's message, recording nothing",
    async (fixture, text) => {
      const jobsetId = jobsets.get(fixture)!;
      const e = await finished(jobsetId);
      expect(e.status).toBe('failed');
      expect(e.error).toContain(text);
      expect(e.error_message).toContain(text);
      expect(await count('builds', e.id)).toBe(0);
      expect(await count('evaluation_errors', e.id)).toBe(0);
    },
    100_000,
  );
});

describe('jobs that are functions (nix-eval-jobs)', () => {
  it('calls each with the inputs it names, or all of them with `...`; an argument without a value is an error', async () => {
    const e = await finished(jobsets.get('functions')!);
    expect(e.status).toBe('succeeded');
    const { rows: builds } = await env.db.pool.query(
      `SELECT b.job, b.nix_name FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id
       WHERE eb.evaluation_id = $1 ORDER BY b.job`,
      [e.id],
    );
    expect(builds).toEqual([
      { job: 'defaulted', nix_name: `defaulted-default-${salt}` },
      { job: 'everything', nix_name: `everything-hello-1-${salt}` },
      { job: 'named', nix_name: `named-hello-${salt}` },
      { job: 'nested.set.inner', nix_name: `inner-hello-${salt}` },
      { job: 'plain', nix_name: `plain-hello-${salt}` },
    ]);
    const { rows: errors } = await env.db.pool.query(
      'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1',
      [e.id],
    );
    expect(errors).toEqual([
      {
        job: 'missing',
        message: expect.stringContaining(
          "cannot evaluate a function that has an argument without a value ('absent')",
        ),
      },
    ]);
  }, 100_000);
});
