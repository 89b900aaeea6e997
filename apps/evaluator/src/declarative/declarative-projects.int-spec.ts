// Declarative projects end to end, with the built daemons: fc-evaluator evaluates ".jobsets" from a
// spec in a local git repository, fc-queue-runner builds its "jobsets" job, the evaluator's scheduler
// applies the result (a jobset whose expression is in a path input), which is then evaluated and
// built. A changed spec updates and retires jobsets; a bad one is recorded on ".jobsets" and changes
// nothing.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ensureJobsetsJobset, findJobset, insertProject, type JobsetRow } from '@fc/db';
import {
  commitFiles,
  gitRepo,
  tempDir,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
  waitFor,
} from '../evaluation-fixtures';

let env: EvaluatorTestEnv;
const salt = randomUUID();
let runnerDir: string;

/** The generator: its `jobsets` job writes `jobsets` (a Nix value) as JSON. */
function generator(jobsets: string): string {
  return `{ target, projectName, declInput, ... }:
{
  jobsets = derivation {
    name = "jobsets";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "printf '%s' \\"$spec\\" > $out" ];
    salt = "${salt}-\${declInput.rev}";
    spec = builtins.toJSON (${jobsets});
  };
}
`;
}

function jobset(description: string, target = 'target'): string {
  return `{
    enabled = 1; hidden = false; description = "${description}";
    nixexprinput = "src"; nixexprpath = "jobs.nix";
    checkinterval = 1; schedulingshares = 7; keepnr = 2; enableemail = false; emailoverride = "";
    inputs = {
      src = { type = "path"; value = ${target}; emailresponsible = false; };
      greeting = { type = "string"; value = "hi \${projectName}"; };
    };
  }`;
}

async function jobsetsOf(projectId: number): Promise<Map<string, JobsetRow>> {
  const { rows } = await env.db.pool.query<{ id: string }>('SELECT id FROM jobsets WHERE project_id = $1', [
    projectId,
  ]);
  const out = new Map<string, JobsetRow>();
  for (const r of rows) {
    const j = await findJobset(env.db.pool, Number(r.id));
    if (j) out.set(j.name, j);
  }
  return out;
}

async function appliedBuild(projectId: number): Promise<number | null> {
  const { rows } = await env.db.pool.query<{ id: string | null }>(
    'SELECT declarative_applied_build_id AS id FROM projects WHERE id = $1',
    [projectId],
  );
  return rows[0]?.id == null ? null : Number(rows[0].id);
}

/** The two daemons build as well as evaluate: a longer wait than the default. */
const waitForDaemons = <T>(what: string, fn: () => Promise<T | undefined>) => waitFor(what, fn, 90_000);

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-evaluator-declarative-');
  runnerDir = tempDir('fc-declarative-runner-');
  void env.startDaemon('evaluator', {
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
  });
  void env.startDaemon('builder', {
    FC_LOGS__LOG_DIR: join(runnerDir, 'logs'),
    FC_GC__GC_ROOTS_DIR: join(runnerDir, 'gc-roots'),
    FC_QUEUE_RUNNER__WORK_DIR: join(runnerDir, 'work'),
    FC_QUEUE_RUNNER__WORKERS: '1',
    FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
  });
}, 60_000);

afterAll(async () => {
  await env.stop();
  rmSync(runnerDir, { recursive: true, force: true });
}, 60_000);

it('creates, builds, updates and retires jobsets from a spec; a bad spec changes nothing', async () => {
  const target = tempDir('fc-declarative-target-');
  mkdirSync(target, { recursive: true });
  writeFileSync(
    join(target, 'jobs.nix'),
    `{ greeting }: { hello = derivation { name = "hello"; system = builtins.currentSystem; builder = "/bin/sh";
       args = [ "-c" "echo \${greeting} ${salt} > $out" ]; }; }`,
  );
  const repo = gitRepo({ 'generator.nix': generator(`{ alpha = ${jobset('first')}; }`) });
  const spec = {
    enabled: 1,
    hidden: true,
    description: 'the generator',
    nixexprinput: 'gen',
    nixexprpath: 'generator.nix',
    checkinterval: 1,
    schedulingshares: 10,
    keepnr: 1,
    enableemail: false,
    emailoverride: '',
    inputs: {
      gen: { type: 'git', value: `file://${repo} main`, emailresponsible: false },
      target: { type: 'string', value: target },
    },
  };
  commitFiles(repo, { 'ci/spec.json': JSON.stringify(spec) });
  const project = await insertProject(env.db.pool, {
    name: 'declarative',
    repositoryUrl: `file://${repo}`,
    declarativeFile: 'ci/spec.json',
    declarativeType: 'git',
  });
  await ensureJobsetsJobset(env.db.pool, project.id, 'ci/spec.json');

  // .jobsets is configured from spec.json, its jobsets job built by the queue runner, the spec applied.
  const alpha = await waitForDaemons('jobset alpha', async () => (await jobsetsOf(project.id)).get('alpha'));
  const jobsetsJobset = (await jobsetsOf(project.id)).get('.jobsets')!;
  expect(jobsetsJobset).toMatchObject({
    description: 'the generator',
    nixExpression: 'generator.nix',
    nixExpressionInput: 'gen',
    schedulingShares: 10,
    keepNr: 1,
    hidden: true,
  });
  const specBuild = await env.db.pool.query<{ build_status: number; is_cached: boolean; job: string }>(
    "SELECT build_status, is_cached, job FROM builds WHERE jobset_id = $1 AND job = 'jobsets'",
    [jobsetsJobset.id],
  );
  expect(specBuild.rows).toEqual([{ build_status: 0, is_cached: false, job: 'jobsets' }]);
  expect(alpha).toMatchObject({
    description: 'first',
    state: 'enabled',
    hidden: false,
    nixExpression: 'jobs.nix',
    nixExpressionInput: 'src',
    checkInterval: 1,
    schedulingShares: 7,
    keepNr: 2,
    flakeMode: false,
  });
  expect(alpha.inputs).toEqual([
    { name: 'greeting', type: 'string', value: 'hi declarative', branch: null, secret: false },
    { name: 'src', type: 'path', value: target, branch: null, secret: false },
  ]);

  // alpha is evaluated from its path input and its job built.
  const hello = await waitForDaemons('alpha: hello built', async () => {
    const { rows } = await env.db.pool.query<{ build_status: number | null }>(
      "SELECT build_status FROM builds WHERE jobset_id = $1 AND job = 'hello' AND finished",
      [alpha.id],
    );
    return rows[0];
  });
  expect(hello.build_status).toBe(0);

  // A changed spec: alpha is dropped (disabled and hidden, kept), beta is created.
  const firstApplied = await appliedBuild(project.id);
  commitFiles(repo, { 'generator.nix': generator(`{ beta = ${jobset('second')}; }`) });
  const beta = await waitForDaemons('jobset beta', async () => (await jobsetsOf(project.id)).get('beta'));
  expect(beta).toMatchObject({ description: 'second', state: 'enabled', hidden: false });
  const after = await jobsetsOf(project.id);
  expect(after.get('alpha')).toMatchObject({ state: 'disabled', hidden: true, description: 'first' });
  expect([...after.keys()].sort()).toEqual(['.jobsets', 'alpha', 'beta']);
  const secondApplied = await appliedBuild(project.id);
  expect(secondApplied).toBeGreaterThan(firstApplied ?? 0);

  // A bad spec: the error is on .jobsets, nothing else changes.
  commitFiles(repo, {
    'generator.nix': generator(
      `{ beta = ${jobset('third')}; gamma = ${jobset('bad')} // { enabled = 7; }; }`,
    ),
  });
  const error = await waitForDaemons('the error on .jobsets', async () => {
    const j = (await jobsetsOf(project.id)).get('.jobsets');
    return (await appliedBuild(project.id)) !== secondApplied && j?.errorMessage ? j.errorMessage : undefined;
  });
  expect(error).toMatch(/jobset "gamma": enabled must be 0 \(disabled\), 1 \(enabled\), 2 \(one-shot\) or 3/);
  const unchanged = await jobsetsOf(project.id);
  expect([...unchanged.keys()].sort()).toEqual(['.jobsets', 'alpha', 'beta']);
  expect(unchanged.get('beta')).toMatchObject({ description: 'second', state: 'enabled' });
  expect(unchanged.get('alpha')).toMatchObject({ state: 'disabled', hidden: true });
}, 240_000);
