// The attack: a jobset's expression prints the value of a secret input, and the password of a
// repository-style URL it was given, into its evaluation errors (`throw`, `builtins.trace`) and its
// builds' logs (`echo`). Evaluated by the evaluate-jobset handler, built by the built fc-queue-runner,
// read anonymously through the built fc-server: every answer, API and dashboard, shows the redaction
// marker where the secret was printed, and never the secret.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort, waitForLogRecord } from '@fc/testing';
import {
  createJobset,
  gitRepo,
  startEvaluatorTestEnv,
  tempDir,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

jest.setTimeout(180_000);

const salt = randomUUID().slice(0, 8);
const TOKEN = `fc-secret-token-${salt}`;
const PASSWORD = `ghp_${salt}x`;
const MIRROR = `https://deploy:${PASSWORD}@example.invalid/repo.git`;

// Nix, not a JS template: `${...}` below is Nix's interpolation.
const PREAMBLE = [
  '{ token, mirror }:',
  'let',
  '  pw = builtins.elemAt (builtins.match "https://[^:]*:([^@]*)@.*" mirror) 0;',
  '  mk = name: script: derivation {',
  '    name = "${name}-SALT";',
  '    system = builtins.currentSystem;',
  '    builder = "/bin/sh";',
  '    args = [ "-c" script ];',
  '    PATH = "/usr/bin:/bin";',
  '    inherit token pw;',
  '  };',
  'in',
].join('\n');

const JOBS = `${PREAMBLE}
{
  prints = mk "prints" "echo token is $token; echo password is $pw; echo url is https://deploy:$pw@example.invalid/r.git; echo done > $out";
  fails = mk "fails" "echo failing with token $token; exit 1";
  throws = throw "cannot use token \${token} or password \${pw}";
  traces = builtins.trace "tracing \${token}" (mk "traces" "echo quiet > $out");
}
`.replaceAll('SALT', salt);

const BROKEN = `${PREAMBLE}
builtins.trace "tracing \${token}" (abort "bad token \${token} and password \${pw}")
`.replaceAll('SALT', salt);

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-printed-secrets-');
}, 60_000);

afterAll(async () => {
  await env.stop();
});

function secretInputs() {
  return [
    { name: 'token', type: 'string', value: TOKEN, secret: true },
    { name: 'mirror', type: 'string', value: MIRROR },
  ];
}

async function one<T>(text: string, values: unknown[]): Promise<T> {
  return (await env.db.pool.query(text, values)).rows[0] as T;
}

describe('secrets an expression or a build prints', () => {
  it('are shown to nobody: evaluation errors, per-job errors, build and step logs carry the marker', async () => {
    const a = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': JOBS })}`,
      inputs: secretInputs(),
    });
    const b = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': BROKEN })}`,
      inputs: secretInputs(),
    });
    const deps = env.handlerDeps();
    expect(
      await evaluateJobsetJob(deps, randomUUID(), { jobsetId: a.jobsetId, force: true, reason: 'api' }),
    ).toBe('succeeded');
    expect(
      await evaluateJobsetJob(deps, randomUUID(), { jobsetId: b.jobsetId, force: true, reason: 'api' }),
    ).toBe('eval-failed');
    const evalA = await one<{ id: number }>('SELECT id FROM evaluations WHERE jobset_id = $1', [a.jobsetId]);
    const evalB = await one<{ id: number }>('SELECT id FROM evaluations WHERE jobset_id = $1', [b.jobsetId]);
    const builds = (
      await env.db.pool.query<{ id: number; job: string }>(
        'SELECT id, job FROM builds WHERE jobset_id = $1',
        [a.jobsetId],
      )
    ).rows;
    const buildOf = (job: string) => builds.find((x) => x.job === job)!.id;
    expect(builds.map((x) => x.job).sort()).toEqual(['fails', 'prints', 'traces']);

    void env.startDaemon('builder', {
      FC_LOGS__LOG_DIR: tempDir('fc-printed-secrets-logs-'),
      FC_GC__GC_ROOTS_DIR: tempDir('fc-printed-secrets-roots-'),
      FC_QUEUE_RUNNER__WORK_DIR: tempDir('fc-printed-secrets-work-'),
      FC_QUEUE_RUNNER__WORKERS: '2',
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
    });
    await waitFor(
      'the builds to finish',
      async () => {
        const r = await one<{ n: number }>(
          'SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1 AND finished',
          [a.jobsetId],
        );
        return r.n === 3 ? true : undefined;
      },
      120_000,
    );
    const port = await freePort();
    const server = env.startDaemon('server', {
      FC_SERVER__HOST: '127.0.0.1',
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: 'printed-secrets-spec',
    });
    await waitForLogRecord(server, (r) => r.message === 'listening', 'listening');
    const project = await one<{ name: string }>('SELECT name FROM projects WHERE id = $1', [a.projectId]);
    const projectB = await one<{ name: string }>('SELECT name FROM projects WHERE id = $1', [b.projectId]);

    /** An anonymous GET: 200, and nothing secret in it. */
    const read = async (path: string): Promise<string> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      const body = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect({ path, token: body.includes(TOKEN), password: body.includes(PASSWORD) }).toEqual({
        path,
        token: false,
        password: false,
      });
      return body;
    };

    // The per-job error (throw) and the whole evaluation's error (trace, then throw).
    const evaluationA = JSON.parse(await read(`/api/v1/evaluations/${evalA.id}`)) as {
      errors: { job: string; message: string }[];
    };
    expect(evaluationA.errors.find((e) => e.job === 'throws')?.message).toContain(
      'cannot use token *** or password ***',
    );
    const evaluationB = JSON.parse(await read(`/api/v1/evaluations/${evalB.id}`)) as { error: string };
    expect(evaluationB.error).toContain('bad token *** and password ***');
    const jobsetB = JSON.parse(await read(`/api/v1/jobsets/${b.jobsetId}`)) as { error_message: string };
    expect(jobsetB.error_message).toContain('bad token ***');
    expect(await read(`/eval/${evalA.id}`)).toContain('cannot use token *** or password ***');
    expect(await read(`/eval/${evalB.id}`)).toContain('bad token ***');
    expect(await read(`/jobset/${projectB.name}/main`)).toContain('bad token ***');
    await read(`/jobset/${project.name}/main`);

    // The build's log and its step's log, by the API and the dashboard.
    const prints = buildOf('prints');
    for (const path of [
      `/api/v1/builds/${prints}/log`,
      `/api/v1/builds/${prints}/steps/1/log`,
      `/build/${prints}/log`,
    ]) {
      const log = await read(path);
      expect(log).toContain('token is ***');
      expect(log).toContain('password is ***');
      expect(log).toContain('url is https://***@example.invalid/r.git');
    }
    await read(`/build/${prints}`);
    // A failed build's log and its error (Nix quotes the log's last lines).
    const fails = buildOf('fails');
    expect(await read(`/api/v1/builds/${fails}/log`)).toContain('failing with token ***');
    await read(`/api/v1/builds/${fails}`);
    await read(`/api/v1/builds/${fails}/steps`);
    await read(`/build/${fails}`);
    await read(`/build/${buildOf('traces')}/log`);
  });
});
