// A nix-daemon --stdio session against the real local store: builds, Nix's exit statuses and log
// events over the worker protocol, reuse between builds, and a kill that takes the builder with it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ActivityType, ResultType, type NixLogEvent } from './nix-log-events';
import { writeDeclineBuildHook } from './decline-build-hook';
import { NixDaemonPool } from './nix-daemon-pool';
import { NixDaemonSession, type NixClientSettings } from './nix-daemon-session';

const settings: NixClientSettings = {
  keepFailed: false,
  tryFallback: false,
  maxBuildJobs: 1,
  verboseBuild: true,
  buildCores: 1,
  useSubstitutes: false,
};
const nonce = String(Date.now());

function instantiate(name: string, script: string): string {
  return execFileSync(
    'nix-instantiate',
    [
      '--expr',
      `derivation { name = "${name}-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" ${JSON.stringify(script)} ]; }`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  ).trim();
}

const options = (drvPath: string, timeout = 60) => ({
  drvPath,
  timeoutSeconds: timeout,
  maxSilentSeconds: timeout,
  builders: '',
});

describe('nix-daemon --stdio session', () => {
  const sessions: NixDaemonSession[] = [];
  afterAll(() => sessions.forEach((s) => void s.close()));

  it("builds with FC's declining build hook, and the build-hook setting reaches Nix", async () => {
    const session = await NixDaemonSession.start();
    sessions.push(session);
    const hook = await writeDeclineBuildHook(mkdtempSync(join(tmpdir(), 'fc-hook-')));
    expect(hook).toBeDefined();
    const built = instantiate('fc-session-hook', 'echo h > $out');
    const ok = await session.realise({ ...options(built), buildHook: hook }, settings, () => undefined).result;
    expect(ok).toEqual({ exitCode: 0, signal: null });
    // The same setting naming no program fails the build: Nix did run the hook it was given.
    const other = instantiate('fc-session-no-hook', 'echo n > $out');
    const events: NixLogEvent[] = [];
    const bad = await session.realise(
      { ...options(other), buildHook: join(tmpdir(), `fc-no-such-hook-${nonce}`) },
      settings,
      (e) => events.push(e),
    ).result;
    expect(bad.exitCode).not.toBe(0);
    expect(JSON.stringify(events)).toContain('fc-no-such-hook');
  });

  it('builds one derivation after another on one daemon, with its log lines and build step', async () => {
    const session = await NixDaemonSession.start();
    sessions.push(session);
    const events: NixLogEvent[] = [];
    const a = instantiate('fc-session-a', 'echo HELLO-FROM-A; echo a > $out');
    const r = await session.realise(options(a), settings, (e) => events.push(e)).result;
    expect(r).toEqual({ exitCode: 0, signal: null });
    const build = events.find((e) => e.kind === 'start' && e.type === ActivityType.Build);
    expect(build).toMatchObject({ fields: [a, '', 1, 1] });
    const lines = events.filter((e) => e.kind === 'result' && e.type === ResultType.BuildLogLine);
    expect(lines).toContainEqual(expect.objectContaining({ fields: ['HELLO-FROM-A'] }));
    expect(events.filter((e) => e.kind === 'stop').length).toBe(
      events.filter((e) => e.kind === 'start').length,
    );

    expect(session.idle).toBe(true);
    const b = instantiate('fc-session-b', 'echo b > $out');
    const again = await session.realise(options(b), settings, () => undefined).result;
    expect(again.exitCode).toBe(0);
    expect(existsSync(`/proc/${session.pid}`)).toBe(true);
  });

  it("gives Nix's exit status and final error for a failed and a timed-out build", async () => {
    const session = await NixDaemonSession.start();
    sessions.push(session);
    const events: NixLogEvent[] = [];
    const fails = instantiate('fc-session-fails', 'echo BYE; exit 1');
    const r = await session.realise(options(fails), settings, (e) => events.push(e)).result;
    expect(r.exitCode).toBe(100);
    const errors = events.flatMap((e) => (e.kind === 'msg' && e.level === 0 ? [e.msg] : []));
    expect(errors.some((m) => m.includes(`builder for '${fails}' failed`))).toBe(true);
    // The failure Nix exits with comes last, as nix-store prints it.
    expect(errors.at(-1)).toContain(`builder for '${fails}' failed with exit code 1`);

    const hangs = instantiate('fc-session-hangs', 'exec /bin/sleep 60');
    const t = await session.realise(options(hangs, 1), settings, () => undefined).result;
    expect(t.exitCode).toBe(101);
    expect(session.idle).toBe(true);
  });

  it('kill ends the daemon and its builder; the pool starts a fresh session for the next build', async () => {
    const pool = new NixDaemonPool(settings);
    const sleeper = instantiate('fc-session-sleeper', `exec /bin/sleep 4${nonce.slice(-4)}`);
    const running = await pool.realise(options(sleeper), () => undefined);
    const deadline = Date.now() + 10_000;
    while (!execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(`/bin/sleep 4${nonce.slice(-4)}`)) {
      if (Date.now() > deadline) throw new Error('the sleeper did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    await running.kill(500);
    const r = await running.result;
    // Nix ends on SIGTERM as nix-store does (interrupted: status 1), or dies by the signal.
    expect(r.exitCode).not.toBe(0);
    expect(existsSync(`/proc/${running.pid}`)).toBe(false);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(`/bin/sleep 4${nonce.slice(-4)}`);

    const next = await pool.realise(options(instantiate('fc-session-next', 'echo n > $out')), () => undefined);
    expect(next.pid).not.toBe(running.pid);
    expect((await next.result).exitCode).toBe(0);
    // Closing waits for the idle session to exit (its temporary roots go with it).
    await pool.close();
    expect(existsSync(`/proc/${next.pid}`)).toBe(false);
  });
});
