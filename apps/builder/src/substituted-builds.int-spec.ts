// A build whose outputs Nix substitutes instead of building is a cached build, as Hydra records it:
// the built fc-queue-runner with a file:// binary cache (made with `nix copy --to file://...`) as its
// only substituter; the build finishes cached, started = stopped, and only its finish is announced.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { HydraChannel } from '@fc/builds';
import { waitForBuild, setUpQueueRunner } from './testing/builder-harness';

jest.setTimeout(120_000);

describe('fc-queue-runner: substituted builds', () => {
  const cache = mkdtempSync(join(tmpdir(), 'fc-binary-cache-'));
  const qr = setUpQueueRunner({
    env: { NIX_CONFIG: `substituters = file://${cache}\nrequire-sigs = false` },
    listen: Object.values(HydraChannel),
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('records a build whose outputs come from the binary cache as cached, started = stopped, only its finish announced', async () => {
    // Built once outside FC, copied to the cache, and deleted from the store.
    const drv = await qr.instantiate('plainDir');
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

    const [id] = (await qr.queueBuilds([{ job: 'plainDir', drv }])) as [number];
    const b = await waitForBuild(qr.pool, id);
    expect(b).toMatchObject({ buildStatus: 0, isCached: true });
    expect(b.startedAt).toEqual(b.stoppedAt);
    const valid = execFileSync('nix-store', ['--check-validity', '--print-invalid', ...outputs], {
      encoding: 'utf8',
    });
    expect(valid.trim()).toBe('');
    await qr.listener.waitFor((n) => n.channel === 'build_finished' && n.payload === String(id));
    // Nothing else about it: no build_started, no step_finished for its substitution (as Hydra).
    const about = (p: string) => p === String(id) || p.startsWith(`${id}\t`);
    expect(qr.listener.received.filter((n) => about(n.payload))).toEqual([
      { channel: 'build_queued', payload: String(id) },
      { channel: 'build_finished', payload: String(id) },
    ]);
  });
});
