/* eslint-disable @typescript-eslint/no-explicit-any */
// Hydra's dynamic RunCommand: projects and jobsets opt in through the API (refused with Hydra's
// messages while notifications.dynamic_run_command is off, or the project has not); with both on, the
// built evaluator and queue runner build a runCommandHook.* job and run its executable output with
// the build's JSON, as Hydra's eligibility rules say (a hook that is not executable is not run).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createTestDatabase, startApp } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

const ON = { FC_NOTIFICATIONS__DYNAMIC_RUN_COMMAND: 'true' };
const REFUSED =
  /DynamicRunCommand hook on runCommandHook\.notExecutable \(\d+\) rejected: the 'out' output is not executable/;
const harnesses: ApiHarness[] = [];
const daemons: ResultPromise[] = [];
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function harness(env: Record<string, string> = {}) {
  const h = await startApiHarness(await createTestDatabase(), { env });
  harnesses.push(h);
  return { h, admin: await h.key('admin') };
}

afterAll(async () => {
  for (const d of daemons) {
    d.kill('SIGTERM');
    await d;
  }
  for (const h of harnesses) await h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('dynamic RunCommand', () => {
  it("is refused with Hydra's messages while the server option is off", async () => {
    const { h, admin } = await harness();
    const project = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: { name: 'p', repository_url: 'https://example.invalid/p.git', enable_dynamic_run_command: true },
    });
    expect(project.status).toBe(400);
    expect(((await project.json()) as any).error.message).toBe(
      'Dynamic RunCommand is not enabled by the server.',
    );
    const plain = (await (
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'p', repository_url: 'https://example.invalid/p.git' },
      })
    ).json()) as any;
    expect(plain.enable_dynamic_run_command).toBe(false);
    const jobset = await h.call('POST', `/api/v1/projects/${plain.id}/jobsets`, {
      key: admin,
      body: { name: 'j', nix_expression: 'release.nix', enable_dynamic_run_command: true },
    });
    expect(jobset.status).toBe(400);
    expect(((await jobset.json()) as any).error.message).toBe(
      'Dynamic RunCommand is not enabled by the server or the parent project.',
    );
  });

  it('with the option, the project and the jobset on, a succeeded runCommandHook.* build runs its executable', async () => {
    const { h, admin } = await harness(ON);
    const salt = randomUUID();
    const seen = tempDir('fc-dynamic-seen-');
    const repo = tempDir('fc-dynamic-repo-');
    writeFileSync(
      join(repo, 'release.nix'),
      `let mk = name: script: derivation {
        name = "\${name}-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
        args = [ "-c" script ];
      }; in {
        runCommandHook.example = mk "example" ''
          printf '#!/bin/sh\\ncp "$HYDRA_JSON" ${seen}/example.json\\n' > $out
          chmod +x $out
        '';
        runCommandHook.notExecutable = mk "not-executable" ''
          printf '#!/bin/sh\\ntouch ${seen}/not-executable\\n' > $out
        '';
        plain = mk "plain" "echo > $out";
      }`,
    );
    const git = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid'];
    execFileSync('git', [...git, 'init', '-q', '-b', 'main', repo]);
    execFileSync('git', [...git, '-C', repo, 'add', '-A']);
    execFileSync('git', [...git, '-C', repo, 'commit', '-q', '-m', 'hooks']);

    const project = (await (
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'hooks', repository_url: `file://${repo}` },
      })
    ).json()) as any;
    const early = await h.call('POST', `/api/v1/projects/${project.id}/jobsets`, {
      key: admin,
      body: { name: 'main', nix_expression: 'release.nix', enable_dynamic_run_command: true },
    });
    expect(early.status).toBe(400);
    const on = await h.call('PATCH', `/api/v1/projects/${project.id}`, {
      key: admin,
      body: { enable_dynamic_run_command: true },
    });
    expect(((await on.json()) as any).enable_dynamic_run_command).toBe(true);
    const jobset = await h.call('POST', `/api/v1/projects/${project.id}/jobsets`, {
      key: admin,
      body: {
        name: 'main',
        nix_expression: 'release.nix',
        check_interval: 1,
        enable_dynamic_run_command: true,
      },
    });
    expect(jobset.status).toBe(201);
    expect(((await jobset.json()) as any).enable_dynamic_run_command).toBe(true);

    const runner = tempDir('fc-dynamic-runner-');
    mkdirSync(join(runner, 'work'), { recursive: true });
    const env = { FC_DATABASE__URL: h.db.url, FC_DATABASE__MIN_CONNECTIONS: '0', ...ON };
    const builder = startApp('builder', [], {
      env: {
        ...env,
        FC_LOGS__LOG_DIR: join(runner, 'logs'),
        FC_GC__GC_ROOTS_DIR: join(runner, 'gc-roots'),
        FC_QUEUE_RUNNER__WORK_DIR: join(runner, 'work'),
        FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
      },
    });
    let builderLog = '';
    builder.stderr?.on('data', (chunk: Buffer) => {
      builderLog += chunk.toString();
    });
    daemons.push(
      builder,
      startApp('evaluator', [], {
        env: { ...env, FC_EVALUATOR__POLL_INTERVAL: '1', FC_EVALUATOR__WORK_DIR: join(runner, 'eval') },
      }),
    );
    const hookJson = await waitFor('the hook to run', () => {
      const f = join(seen, 'example.json');
      return Promise.resolve(existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as unknown) : undefined);
    });
    expect(hookJson).toMatchObject({
      event: 'buildFinished',
      project: 'hooks',
      jobset: 'main',
      job: 'runCommandHook.example',
      buildStatus: 0,
    });
    const deliveries = await waitFor('the deliveries of every build', async () => {
      const { rows } = await h.pool.query(
        `SELECT b.job, d.kind, d.status FROM builds b LEFT JOIN notification_deliveries d ON d.build_id = b.id
         WHERE b.finished ORDER BY b.job`,
      );
      return rows.length === 3 &&
        rows.every((r: any) => r.job !== 'runCommandHook.example' || r.kind !== null)
        ? rows
        : undefined;
    });
    expect(deliveries).toEqual([
      { job: 'plain', kind: null, status: null },
      { job: 'runCommandHook.example', kind: 'dynamic_run_command', status: 'delivered' },
      { job: 'runCommandHook.notExecutable', kind: null, status: null },
    ]);
    // The hook that is not executable is refused, as Hydra refuses it, and never run.
    await waitFor('the refusal of the hook that is not executable', () =>
      Promise.resolve(REFUSED.test(builderLog) ? true : undefined),
    );
    expect(existsSync(join(seen, 'not-executable'))).toBe(false);
  }, 180_000);
});
