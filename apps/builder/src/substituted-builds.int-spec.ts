// A build whose outputs Nix substitutes instead of building is a cached build, as Hydra records it:
// the built fc-queue-runner with a file:// binary cache (made with `nix copy --to file://...`) as its
// only substituter; the build finishes cached, started = stopped, and only its finish is announced.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { HydraChannel } from '@fc/builds';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, listenTo, startApp, type NotifyListener, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import { FIXTURE_JOBS, builderEnv, randomNonce, waitForBuild } from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: substituted builds', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemon: ResultPromise;
  let jobset: Jobset;
  let listener: NotifyListener;
  const nonce = randomNonce();
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-qr-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-qr-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-qr-work-')),
  };
  const cache = mkdtempSync(join(tmpdir(), 'fc-binary-cache-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    listener = await listenTo(db.url, Object.values(HydraChannel));
    daemon = startApp('builder', [], {
      env: builderEnv(db.url, dirs, {
        NIX_CONFIG: `substituters = file://${cache}\nrequire-sigs = false`,
      }),
    });
  });

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    const r = await daemon;
    if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
    await listener?.close();
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of [...Object.values(dirs), cache]) rmSync(d, { recursive: true, force: true });
  });

  it('records a build whose outputs come from the binary cache as cached, started = stopped, only its finish announced', async () => {
    // Built once outside FC, copied to the cache, and deleted from the store.
    const drv = await instantiate(FIXTURE_JOBS, 'plainDir', { nonce });
    const outputs = drv.outputs.map((o) => o.path);
    execFileSync('nix-store', ['--realise', drv.drvPath], { stdio: 'ignore' });
    execFileSync(
      'nix',
      ['--extra-experimental-features', 'nix-command', 'copy', '--to', `file://${cache}`, ...outputs],
      {
        stdio: 'ignore',
      },
    );
    execFileSync('nix-store', ['--delete', ...outputs], { stdio: 'ignore' });

    const [id] = (await queueBuilds(db.pool, boss, jobset, [{ job: 'plainDir', drv }])) as [number];
    const b = await waitForBuild(db.pool, id);
    expect(b).toMatchObject({ buildStatus: 0, isCached: true });
    expect(b.startedAt).toEqual(b.stoppedAt);
    const valid = execFileSync('nix-store', ['--check-validity', '--print-invalid', ...outputs], {
      encoding: 'utf8',
    });
    expect(valid.trim()).toBe('');
    await listener.waitFor((n) => n.channel === 'build_finished' && n.payload === String(id));
    // Nothing else about it: no build_started, no step_finished for its substitution (as Hydra).
    const about = (p: string) => p === String(id) || p.startsWith(`${id}\t`);
    expect(listener.received.filter((n) => about(n.payload))).toEqual([
      { channel: 'build_queued', payload: String(id) },
      { channel: 'build_finished', payload: String(id) },
    ]);
  });
});
