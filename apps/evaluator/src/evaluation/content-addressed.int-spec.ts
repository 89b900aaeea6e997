// Floating content-addressed derivations through the built daemons, as Hydra's content-addressed
// tests check them, with FC's own jobset: with Nix's ca-derivations feature on (NIX_CONFIG), the
// jobset evaluates (outputs are placeholders until built), builds with Hydra's statuses, each built
// output recorded by its real store path, and early cut-off shares one output between two
// derivations that resolve to the same content. Without the feature each job is a per-job error.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requestEvaluation } from '@fc/queue';
import {
  createJobset,
  gitRepo,
  startEvaluatorTestEnv,
  tempDir,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';

const salt = randomUUID().slice(0, 8);
const CA_NIX_CONFIG = 'experimental-features = nix-command flakes ca-derivations';
let env: EvaluatorTestEnv;
let runnerDir: string;

const RELEASE = `let
  ca = name: attrs: derivation ({
    name = "\${name}-${salt}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    __contentAddressed = true;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
  } // attrs);
  sh = script: [ "-c" script ];
in rec {
  plain = ca "plain" { args = sh "echo plain > $out"; };
  fails = ca "fails" { args = sh "exit 1"; };
  marked = ca "marked" { args = sh "mkdir -p $out/nix-support && touch $out/nix-support/failed"; };
  onFailing = ca "on-failing" { args = sh "cat \${fails} > $out"; };
  onCa = ca "on-ca" { args = sh "cat \${plain} > $out"; };
  inputAddressedOnCa = derivation {
    name = "ia-on-ca-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = sh "cat \${plain} > $out";
  };
  multi = ca "multi" { outputs = [ "out" "lib" ]; args = sh "echo a > $out && echo b > $lib"; };
  upstream1 = ca "upstream" { dummy = "1"; args = sh "echo same > $out"; };
  upstream2 = ca "upstream" { dummy = "2"; args = sh "echo same > $out"; };
  downstream1 = ca "downstream" { args = sh "cat \${upstream1} > $out"; };
  downstream2 = ca "downstream" { args = sh "cat \${upstream2} > $out"; };
}`;

async function evaluated(jobsetId: number) {
  await requestEvaluation(env.db.pool, env.boss, { jobsetId, force: false, reason: 'api' });
  return waitFor(
    'the evaluation',
    async () =>
      (
        await env.db.pool.query<{ id: number; status: string }>(
          'SELECT id, status FROM evaluations WHERE jobset_id = $1 AND finished_at IS NOT NULL',
          [jobsetId],
        )
      ).rows[0],
    90_000,
  );
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-content-addressed-');
  runnerDir = tempDir('fc-content-addressed-runner-');
  mkdirSync(runnerDir, { recursive: true });
}, 60_000);

afterAll(async () => {
  await env.stop();
  rmSync(runnerDir, { recursive: true, force: true });
}, 60_000);

describe('content-addressed derivations', () => {
  it('without the ca-derivations feature, each job is a per-job error', async () => {
    void env.startDaemon('evaluator', {
      FC_EVALUATOR__POLL_INTERVAL: '1',
      FC_EVALUATOR__WORK_DIR: env.workDir,
    });
    const repo = gitRepo({ 'release.nix': RELEASE });
    const { jobsetId } = await createJobset(env.db.pool, { repositoryUrl: `file://${repo}` });
    const e = await evaluated(jobsetId);
    expect(e.status).toBe('succeeded');
    const { rows } = await env.db.pool.query<{ job: string; message: string }>(
      'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1 ORDER BY job',
      [e.id],
    );
    expect(rows.map((r) => r.job)).toContain('plain');
    expect(rows.find((r) => r.job === 'plain')!.message).toContain(
      "experimental Nix feature 'ca-derivations' is disabled",
    );
    await env.stopDaemons();
  }, 120_000);

  it("with it, the jobset evaluates and builds with Hydra's statuses, real outputs and early cut-off", async () => {
    const nixConfig = { NIX_CONFIG: CA_NIX_CONFIG };
    void env.startDaemon('evaluator', {
      ...nixConfig,
      FC_EVALUATOR__POLL_INTERVAL: '1',
      FC_EVALUATOR__WORK_DIR: join(env.workDir, 'ca'),
    });
    void env.startDaemon('builder', {
      ...nixConfig,
      FC_LOGS__LOG_DIR: join(runnerDir, 'logs'),
      FC_GC__GC_ROOTS_DIR: join(runnerDir, 'gc-roots'),
      FC_QUEUE_RUNNER__WORK_DIR: join(runnerDir, 'work'),
      FC_QUEUE_RUNNER__WORKERS: '2',
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
    });
    const repo = gitRepo({ 'release.nix': RELEASE });
    const { jobsetId } = await createJobset(env.db.pool, { repositoryUrl: `file://${repo}` });
    const e = await evaluated(jobsetId);
    expect(e.status).toBe('succeeded');
    const builds = await waitFor(
      'every build to finish',
      async () => {
        const { rows } = await env.db.pool.query<{
          id: number;
          job: string;
          finished: boolean;
          build_status: number;
        }>('SELECT id, job, finished, build_status FROM builds WHERE jobset_id = $1 ORDER BY job', [
          jobsetId,
        ]);
        return rows.length === 11 && rows.every((r) => r.finished) ? rows : undefined;
      },
      150_000,
    );
    expect(Object.fromEntries(builds.map((b) => [b.job, b.build_status]))).toEqual({
      downstream1: 0,
      downstream2: 0,
      fails: 1,
      inputAddressedOnCa: 0,
      marked: 6,
      multi: 0,
      onCa: 0,
      onFailing: 2,
      plain: 0,
      upstream1: 0,
      upstream2: 0,
    });
    const { rows: outputs } = await env.db.pool.query<{ job: string; name: string; path: string }>(
      `SELECT b.job, o.name, o.path FROM build_outputs o JOIN builds b ON b.id = o.build_id
       WHERE b.jobset_id = $1 AND b.build_status = 0 ORDER BY b.job, o.name`,
      [jobsetId],
    );
    for (const o of outputs) expect(o.path).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
    const out = (job: string, name = 'out') => outputs.find((o) => o.job === job && o.name === name)!.path;
    expect(outputs.filter((o) => o.job === 'multi').map((o) => o.name)).toEqual(['lib', 'out']);
    expect(out('upstream1')).toBe(out('upstream2'));
    expect(out('downstream1')).toBe(out('downstream2'));
  }, 300_000);
});
