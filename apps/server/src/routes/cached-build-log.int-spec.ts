/* eslint-disable @typescript-eslint/no-explicit-any */
// The log of a cached build, through fc-server with the built fc-evaluator and fc-queue-runner (real
// git, Nix): jobset a builds `top` (and `dep` as a step of it); jobset b of the same repository then
// has both as cached builds (their outputs are valid when it is evaluated). A cached build's log is the
// log of what produced its outputs, and says whose: `top`'s is build a/top's log, `dep`'s the log of
// the step of build a/top that built it — in the log API (X-Log-Build, X-Log-Step, with and without
// an offset), the live log stream (an `origin` event), the raw /build/{id}/log (a first line) and
// the build page.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createTestDatabase, startApp } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { readEvents } from '../testing/sse-client';

jest.setTimeout(180_000);

const salt = randomUUID();
const RELEASE = `let mk = name: script: derivation {
    name = "\${name}-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" script ];
  };
  dep = mk "dep" "echo DEP-BUILT-${salt}; echo dep > $out";
in {
  top = mk "top" "echo TOP-BUILT-${salt}; cat \${dep} > $out";
  inherit dep;
}`;

describe('the log of a cached build', () => {
  let h: ApiHarness;
  let admin: string;
  let projectId: number;
  const daemons: ResultPromise[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fc-cached-log-'));

  async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 150_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function createJobset(name: string, expression: string): Promise<number> {
    const r = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
      key: admin,
      body: { name, nix_expression: expression, check_interval: 0 },
    });
    expect(r.status).toBe(201);
    const id = ((await r.json()) as any).id as number;
    expect(
      (await h.call('POST', '/api/v1/evaluations/trigger', { key: admin, body: { jobset_id: id } })).status,
    ).toBe(202);
    return id;
  }

  /** The jobset's finished builds by job, once it has `count` of them. */
  async function finishedBuilds(jobsetId: number, count: number): Promise<Map<string, any>> {
    return waitFor(`${count} finished builds of jobset ${jobsetId}`, async () => {
      const page = (await (await h.call('GET', `/api/v1/builds?jobset_id=${jobsetId}`)).json()) as any;
      const done = (page.items as any[]).filter((b) => b.finished);
      return done.length === count ? new Map(done.map((b) => [b.job as string, b])) : undefined;
    });
  }

  const get = (path: string, headers: Record<string, string> = {}) => h.call('GET', path, { headers });

  let a: Map<string, any>;
  let b: Map<string, any>;
  let depStep: number;

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase(), {
      env: { FC_SERVER__ALLOWED_ORIGINS: 'https://dash.example' },
    });
    admin = await h.key('admin');
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'a.nix'), `builtins.removeAttrs (${RELEASE}) [ "dep" ]`);
    writeFileSync(join(repo, 'b.nix'), RELEASE);
    const git = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid'];
    execFileSync('git', [...git, 'init', '-q', '-b', 'main', repo]);
    execFileSync('git', [...git, '-C', repo, 'add', '-A']);
    execFileSync('git', [...git, '-C', repo, 'commit', '-q', '-m', 'jobs']);
    const project = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: { name: 'cachedlog', repository_url: `file://${repo}` },
    });
    projectId = ((await project.json()) as any).id as number;

    const env = { FC_DATABASE__URL: h.db.url, FC_DATABASE__MIN_CONNECTIONS: '0' };
    daemons.push(
      startApp('builder', [], {
        env: {
          ...env,
          FC_LOGS__LOG_DIR: join(dir, 'logs'),
          FC_GC__GC_ROOTS_DIR: join(dir, 'gc-roots'),
          FC_QUEUE_RUNNER__WORK_DIR: join(dir, 'work'),
          FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
        },
      }),
      startApp('evaluator', [], {
        env: { ...env, FC_EVALUATOR__POLL_INTERVAL: '1', FC_EVALUATOR__WORK_DIR: join(dir, 'eval') },
      }),
    );

    // Jobset a builds top, and dep as a step of it.
    a = await finishedBuilds(await createJobset('a', 'a.nix'), 1);
    expect(a.get('top')).toMatchObject({ status: 'succeeded', is_cached: false });
    const steps = (await (await get(`/api/v1/builds/${a.get('top').id}/steps`)).json()) as {
      items: { step_nr: number; drv_path: string }[];
    };
    depStep = steps.items.find((s) => /-dep-/.test(s.drv_path))!.step_nr;
    // Jobset b, evaluated once a's outputs are valid: both jobs are cached builds, never run.
    b = await finishedBuilds(await createJobset('b', 'b.nix'), 2);
    for (const job of ['top', 'dep'])
      expect(b.get(job)).toMatchObject({ status: 'succeeded', is_cached: true });
  });

  afterAll(async () => {
    for (const d of daemons) {
      d.kill('SIGTERM');
      await d;
    }
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the log of the build that produced its outputs, and the API says whose (X-Log-Build)', async () => {
    const producer = a.get('top').id as number;
    const own = await get(`/api/v1/builds/${producer}/log`);
    const text = await own.text();
    expect(text).toContain(`TOP-BUILT-${salt}`);
    expect(own.headers.get('x-log-build')).toBeNull();

    const cached = await get(`/api/v1/builds/${b.get('top').id}/log`);
    expect(cached.status).toBe(200);
    expect(await cached.text()).toBe(text);
    expect(cached.headers.get('x-log-build')).toBe(String(producer));
    expect(cached.headers.get('x-log-step')).toBeNull();
    // A dashboard on another allowed origin may read the headers.
    const cors = await get(`/api/v1/builds/${b.get('top').id}/log?offset=0`, {
      origin: 'https://dash.example',
    });
    expect(cors.headers.get('access-control-expose-headers')).toContain(
      'X-Log-Next-Offset, X-Log-Complete, X-Log-Build, X-Log-Step',
    );

    // From an offset: the same bytes of the same log, and the same headers.
    const tail = await get(`/api/v1/builds/${b.get('top').id}/log?offset=5`);
    expect(await tail.text()).toBe(text.slice(5));
    expect(tail.headers.get('x-log-build')).toBe(String(producer));
    expect(tail.headers.get('x-log-complete')).toBe('true');
  });

  it('of a derivation built as a step of another build, is that step’s log (X-Log-Step)', async () => {
    const producer = a.get('top').id as number;
    const stepLog = await (await get(`/api/v1/builds/${producer}/steps/${depStep}/log`)).text();
    expect(stepLog).toContain(`DEP-BUILT-${salt}`);
    const cached = await get(`/api/v1/builds/${b.get('dep').id}/log`);
    expect(await cached.text()).toBe(stepLog);
    expect(cached.headers.get('x-log-build')).toBe(String(producer));
    expect(cached.headers.get('x-log-step')).toBe(String(depStep));
  });

  it('names its build on the live stream, the raw log and the build page', async () => {
    const id = b.get('top').id as number;
    const producer = a.get('top').id as number;
    const notice = `This is the log of build ${producer}, which produced the outputs of build ${id} (a cached build).`;
    const own = await (await get(`/api/v1/builds/${producer}/log`)).text();

    const events: { event: string; data: string }[] = [];
    for await (const e of readEvents(await get(`/api/v1/builds/${id}/log/stream`))) events.push(e);
    expect(events.map((e) => e.event)).toEqual(['origin', 'log', 'end']);
    expect(JSON.parse(events[0]!.data)).toEqual({ build_id: producer, step_nr: 0 });
    expect(JSON.parse(events[1]!.data)).toEqual({ text: own });

    const raw = await get(`/build/${id}/log`);
    expect(await raw.text()).toBe(`${notice}\n\n${own}`);
    const step = await (await get(`/build/${b.get('dep').id}/log`)).text();
    expect(step.split('\n')[0]).toBe(
      `This is the log of step ${depStep} of build ${producer}, which produced the outputs of build ${b.get('dep').id} (a cached build).`,
    );
    expect(await (await get(`/build/${producer}/log`)).text()).toBe(own);

    const html = await (await get(`/build/${id}`, { accept: 'text/html' })).text();
    expect(html).toContain(`<p id="fc-log-origin" class="fc-muted">${notice} <a href="/build/${producer}">`);
    expect(html).toContain(`TOP-BUILT-${salt}`);
    const producerPage = await (await get(`/build/${producer}`, { accept: 'text/html' })).text();
    expect(producerPage).not.toContain('fc-log-origin');
  });
});
