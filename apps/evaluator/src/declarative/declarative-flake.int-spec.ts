// A declarative spec in Hydra's shapes FC used to refuse, through the built evaluator: a static spec
// whose jobsets carry keys Hydra ignores (visible, name) and a flake jobset (type 1, flake); the
// flake jobset is created and evaluated at its repository's revision.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ensureJobsetsJobset, findJobset, insertProject } from '@fc/db';
import {
  gitRepo,
  startEvaluatorTestEnv,
  tempDir,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';

let env: EvaluatorTestEnv;
const salt = randomUUID();

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-declarative-flake-');
  void env.startDaemon('evaluator', {
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
  });
}, 60_000);

afterAll(async () => {
  await env.stop();
}, 60_000);

it("refuses a spec enabling dynamic RunCommand with Hydra's message while the server option is off", async () => {
  const specDir = tempDir('fc-declarative-dynamic-spec-');
  const target = gitRepo({ 'jobs.nix': '{ }' });
  writeFileSync(
    join(specDir, 'spec.json'),
    JSON.stringify({
      hooks: {
        enabled: 1,
        nixexprinput: 'src',
        nixexprpath: 'jobs.nix',
        enable_dynamic_run_command: true,
        inputs: { src: { type: 'git', value: `file://${target}` } },
      },
    }),
  );
  const project = await insertProject(env.db.pool, {
    name: 'hooks',
    repositoryUrl: `file://${target}`,
    declarativeFile: 'spec.json',
    declarativeType: 'path',
    declarativeValue: specDir,
  });
  await ensureJobsetsJobset(env.db.pool, project.id, 'spec.json');
  const error = await waitFor('the refusal', async () => {
    const { rows } = await env.db.pool.query<{ error_message: string | null }>(
      `SELECT error_message FROM jobsets WHERE project_id = $1 AND name = '.jobsets'`,
      [project.id],
    );
    return rows[0]?.error_message ?? undefined;
  });
  expect(error).toContain('Dynamic RunCommand is not enabled by the server or the parent project.');
  const { rows } = await env.db.pool.query('SELECT name FROM jobsets WHERE project_id = $1', [project.id]);
  expect(rows).toEqual([{ name: '.jobsets' }]);
}, 120_000);

it('applies a static spec with a flake jobset and keys Hydra ignores, and evaluates the flake', async () => {
  const flake = gitRepo({
    'ci/flake.nix': `{
      outputs = { self }: {
        hydraJobs.hello = derivation {
          name = "hello-${salt}"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ];
        };
      };
    }`,
  });
  const specDir = tempDir('fc-declarative-flake-spec-');
  writeFileSync(
    join(specDir, 'spec.json'),
    JSON.stringify({
      flaky: {
        enabled: 1,
        visible: true,
        name: 'ignored',
        hidden: false,
        description: 'a flake jobset',
        type: 1,
        flake: `git+file://${flake}?ref=main&dir=ci`,
        checkinterval: 1,
        schedulingshares: 1,
        keepnr: 1,
        enableemail: false,
        emailoverride: '',
        inputs: {},
      },
    }),
  );
  const project = await insertProject(env.db.pool, {
    name: 'flakes',
    repositoryUrl: `file://${flake}`,
    declarativeFile: 'spec.json',
    declarativeType: 'path',
    declarativeValue: specDir,
  });
  await ensureJobsetsJobset(env.db.pool, project.id, 'spec.json');

  const jobsetId = await waitFor('the flake jobset', async () => {
    const { rows } = await env.db.pool.query<{ id: string }>(
      `SELECT id FROM jobsets WHERE project_id = $1 AND name = 'flaky'`,
      [project.id],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].id);
  });
  expect(await findJobset(env.db.pool, jobsetId)).toMatchObject({
    description: 'a flake jobset',
    flakeMode: true,
    nixExpression: 'ci',
    nixExpressionInput: 'flake',
    inputs: [{ name: 'flake', type: 'git', value: `file://${flake} main`, branch: null }],
  });
  const evaluation = await waitFor('the flake evaluation', async () => {
    const { rows } = await env.db.pool.query<{ id: string; flake_url: string | null }>(
      `SELECT id, flake_url FROM evaluations WHERE jobset_id = $1 AND status = 'succeeded'`,
      [jobsetId],
    );
    return rows[0];
  });
  expect(evaluation.flake_url).toMatch(new RegExp(`^git\\+file://${flake}\\?rev=[0-9a-f]{40}&dir=ci$`));
  const { rows: builds } = await env.db.pool.query<{ job: string }>(
    'SELECT b.job FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id WHERE eb.evaluation_id = $1',
    [evaluation.id],
  );
  expect(builds).toEqual([{ job: 'hello' }]);
}, 120_000);
