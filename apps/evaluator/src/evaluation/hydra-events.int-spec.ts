// Hydra's evaluation events, as a hydra-notify listener sees them: LISTEN on Hydra's channels while
// a jobset is evaluated with new builds, unchanged inputs, reused (finished and queued) and cached
// builds, and a broken expression.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { finishBuild, HydraChannel } from '@fc/builds';
import { BuildStatus } from '@fc/core';
import { withTransaction } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { listenTo, type Notification, type NotifyListener } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  startEvaluatorTestEnv,
  tempDir,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

const stable = randomUUID();
const release = (variable: string) => `let
  mk = name: script: builtins.derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
  };
in {
  stable-finished = mk "stable-finished-${stable}" "echo 1 > $out";
  stable-queued = mk "stable-queued-${stable}" "echo 2 > $out";
  variable = mk "variable-${variable}" "echo 3 > $out";
  prebuilt = mk "prebuilt-${variable}" "echo 4 > $out";
}
`;

let env: EvaluatorTestEnv;
let listener: NotifyListener;
let repo: string;
let jobsetId: number;

async function evaluate(force: boolean): Promise<string> {
  return evaluateJobsetJob(
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
    { jobsetId, force, reason: 'api' },
  );
}

async function latestEvaluationId(): Promise<number> {
  const r = await env.db.pool.query<{ id: string }>(
    'SELECT max(id) AS id FROM evaluations WHERE jobset_id = $1',
    [jobsetId],
  );
  return Number(r.rows[0]!.id);
}

async function buildIdsOf(evaluationId: number): Promise<Map<string, number>> {
  const r = await env.db.pool.query<{ job: string; id: string }>(
    'SELECT b.job, b.id FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id WHERE eb.evaluation_id = $1',
    [evaluationId],
  );
  return new Map(r.rows.map((b) => [b.job, Number(b.id)]));
}

/** The notifications received since `from`, once the last one is `until`'s channel. */
async function eventsUntil(from: number, until: string): Promise<Notification[]> {
  await listener.waitFor((n) => listener.received.indexOf(n) >= from && n.channel === until, 60_000, until);
  const all = listener.received.slice(from);
  return all.slice(0, all.findIndex((n) => n.channel === until) + 1);
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-events-');
  listener = await listenTo(env.db.url, Object.values(HydraChannel));
  repo = gitRepo({ 'release.nix': release(randomUUID()) });
  ({ jobsetId } = await createJobset(env.db.pool, { repositoryUrl: repo }));
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await env?.stop();
});

describe("Hydra's evaluation events", () => {
  let firstEvaluation: number;
  let first: Map<string, number>;

  it('a first evaluation: eval_started, build_queued per new build, eval_added, builds_added', async () => {
    const from = listener.received.length;
    expect(await evaluate(true)).toBe('succeeded');
    const events = await eventsUntil(from, 'builds_added');
    firstEvaluation = await latestEvaluationId();
    first = await buildIdsOf(firstEvaluation);
    const ids = [...first.values()].sort((a, b) => a - b);
    const [started, ...rest] = events;
    expect(started!.channel).toBe('eval_started');
    const [traceId, startedJobset] = started!.payload.split('\t');
    expect(traceId).toMatch(/^\d+\.\d+$/);
    expect(startedJobset).toBe(String(jobsetId));
    expect(rest).toEqual([
      ...ids.map((id) => ({ channel: 'build_queued', payload: String(id) })),
      { channel: 'eval_added', payload: `${traceId}\t${jobsetId}\t${firstEvaluation}` },
      { channel: 'builds_added', payload: String(ids[0]) },
    ]);
  }, 120_000);

  it('an evaluation of unchanged inputs: eval_started, then eval_cached naming the evaluation that stands', async () => {
    const from = listener.received.length;
    expect(await evaluate(false)).toBe('unchanged');
    const [started, cached, ...rest] = await eventsUntil(from, 'eval_cached');
    expect(rest).toEqual([]);
    expect(started!.channel).toBe('eval_started');
    const traceId = started!.payload.split('\t')[0];
    expect(cached).toEqual({
      channel: 'eval_cached',
      payload: `${traceId}\t${jobsetId}\t${firstEvaluation}`,
    });
  }, 120_000);

  it('changed sources: new, cached, reused finished and reused queued builds each announced', async () => {
    // One of the first evaluation's builds finishes; the next commit's `prebuilt` is built beforehand.
    await withTransaction(env.db.pool, (tx) =>
      finishBuild(tx, env.boss, first.get('stable-finished')!, {
        status: BuildStatus.Succeeded,
        errorMessage: null,
      }),
    );
    await listener.waitFor(
      (n) => n.channel === 'build_finished' && n.payload === String(first.get('stable-finished')),
    );
    commitFiles(repo, { 'release.nix': release(randomUUID()) });
    const out = tempDir('fc-eval-events-out-');
    execFileSync('nix-build', ['-o', `${out}/prebuilt`, '-A', 'prebuilt', `${repo}/release.nix`], {
      stdio: 'ignore',
    });

    const from = listener.received.length;
    expect(await evaluate(false)).toBe('succeeded');
    const events = await eventsUntil(from, 'builds_added');
    const evaluation = await latestEvaluationId();
    const builds = await buildIdsOf(evaluation);
    const variable = builds.get('variable')!;
    const prebuilt = builds.get('prebuilt')!;
    const [started, ...rest] = events;
    expect(started!.channel).toBe('eval_started');
    const traceId = started!.payload.split('\t')[0];
    expect(rest.slice(-2)).toEqual([
      { channel: 'eval_added', payload: `${traceId}\t${jobsetId}\t${evaluation}` },
      { channel: 'builds_added', payload: String(Math.min(variable, prebuilt)) },
    ]);
    // A cached build (outputs valid when evaluated) is queued and finished at once, in Hydra's words.
    const sortKey = (n: Notification) => `${n.channel}\t${n.payload}`;
    expect([...rest.slice(0, -2)].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [
        { channel: 'build_queued', payload: String(variable) },
        { channel: 'build_queued', payload: String(prebuilt) },
        { channel: 'build_finished', payload: String(prebuilt) },
        { channel: 'cached_build_finished', payload: `${evaluation}\t${first.get('stable-finished')}` },
        { channel: 'cached_build_queued', payload: `${evaluation}\t${first.get('stable-queued')}` },
      ].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    );
    // Each new build's announcement comes before the finish of the cached one.
    expect(rest.findIndex((n) => n.channel === 'build_finished')).toBeGreaterThan(
      rest.findIndex((n) => n.channel === 'build_queued' && n.payload === String(prebuilt)),
    );
  }, 180_000);

  it('a broken expression: eval_started, then eval_failed', async () => {
    commitFiles(repo, { 'release.nix': 'this is not valid nix code!' });
    const from = listener.received.length;
    expect(await evaluate(false)).toBe('eval-failed');
    const [started, failed, ...rest] = await eventsUntil(from, 'eval_failed');
    expect(rest).toEqual([]);
    expect(started!.channel).toBe('eval_started');
    const traceId = started!.payload.split('\t')[0];
    expect(failed).toEqual({ channel: 'eval_failed', payload: `${traceId}\t${jobsetId}` });
  }, 120_000);
});
