// fc-queue-runner end to end: real PostgreSQL, real Nix, the built daemon. Every Hydra status a build
// can end with, its steps, outputs, products, metrics and logs.
import { existsSync, readlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it, jest } from '@jest/globals';
import { instantiate } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  readBuild,
  readStoredLog,
  waitForBuild,
  setUpQueueRunner,
} from './testing/builder-harness';

jest.setTimeout(90_000);

describe('fc-queue-runner: build results', () => {
  const qr = setUpQueueRunner({
    env: {
      FC_QUEUE_RUNNER__WORKERS: '3',
      FC_QUEUE_RUNNER__MAX_RETRIES: '1',
      FC_QUEUE_RUNNER__UNSUPPORTED_TIMEOUT: '2',
      FC_QUEUE_RUNNER__MAX_OUTPUT_SIZE: '1000000',
      FC_LOGS__MAX_LOG_SIZE: '60000',
    },
  });

  async function steps(id: number) {
    const r = await qr.pool.query<{
      step_nr: number;
      drv_path: string;
      status: number | null;
      busy: boolean;
    }>('SELECT step_nr, drv_path, status, busy FROM build_steps WHERE build_id = $1 ORDER BY step_nr', [id]);
    return r.rows;
  }

  it('0: records outputs with sizes, a step, products (quoted paths with spaces), metrics, release name, log, GC root', async () => {
    const id = await qr.queue('succeeds');
    const b = await waitForBuild(qr.pool, id);
    expect(b).toMatchObject({ buildStatus: 0, attempts: 1, isCached: false, releaseName: 'succeeds-1.0' });
    expect(b.errorMessage).toBeNull();

    const outputs = await qr.pool.query<{
      name: string;
      path: string;
      nar_size: number;
      closure_size: number;
    }>('SELECT name, path, nar_size, closure_size FROM build_outputs WHERE build_id = $1', [id]);
    const out = outputs.rows[0]!;
    expect(out.nar_size).toBeGreaterThan(0);
    expect(out.closure_size).toBeGreaterThanOrEqual(out.nar_size);
    expect(b.size).toBe(out.nar_size);

    const products = await qr.pool.query(
      'SELECT product_nr, type, subtype, name, path, file_size, sha256 FROM build_products WHERE build_id = $1 ORDER BY product_nr',
      [id],
    );
    expect(products.rows).toEqual([
      {
        product_nr: 1,
        type: 'doc',
        subtype: 'readme',
        name: 'some text.txt',
        path: `${out.path}/some text.txt`,
        file_size: 6,
        sha256: createHash('sha256').update('hello\n').digest('hex'),
      },
      {
        product_nr: 2,
        type: 'file',
        subtype: 'text',
        name: 'text.txt',
        path: `${out.path}/text.txt`,
        file_size: 6,
        sha256: createHash('sha256').update('plain\n').digest('hex'),
      },
    ]);

    const metrics = await qr.pool.query(
      'SELECT name, value, unit FROM build_metrics WHERE build_id = $1 ORDER BY name',
      [id],
    );
    expect(metrics.rows).toEqual([
      { name: 'lineCoverage', value: 18, unit: '%' },
      { name: 'maxResident', value: 27, unit: 'KiB' },
    ]);

    const s = await steps(id);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ step_nr: 1, status: 0, busy: false });
    expect(s[0]!.drv_path).toMatch(/-succeeds-\d+\.drv$/);

    const { text: log, encodings } = await readStoredLog(qr.pool, id);
    expect(encodings).toEqual(['identity']);
    expect(log).toContain('SUCCESS-BUILD-SAYS-HI');
    expect(b.logSize).toBe(Buffer.byteLength(log));

    expect(readlinkSync(join(qr.dirs.rootsDir, `${id}-out`))).toBe(out.path);

    const notify = await qr.pool.query(
      "SELECT data FROM pgboss.job WHERE name = 'notify-build' AND (data->>'buildId')::int = $1",
      [id],
    );
    expect(notify.rows).toEqual([{ data: { buildId: id, event: 'finished' } }]);
  });

  it('0: a directory output without hydra-build-products gets the default nix-build product', async () => {
    const id = await qr.queue('plainDir');
    expect(await waitForBuild(qr.pool, id)).toMatchObject({ buildStatus: 0 });
    const products = await qr.pool.query(
      'SELECT type, subtype, name, file_size FROM build_products WHERE build_id = $1',
      [id],
    );
    expect(products.rows).toEqual([
      { type: 'nix-build', subtype: '', name: `plain-dir-${qr.nonce}`, file_size: null },
    ]);
  });

  it('1: a failing builder, its log kept, never retried', async () => {
    const id = await qr.queue('fails');
    const b = await waitForBuild(qr.pool, id);
    expect(b).toMatchObject({ buildStatus: 1, attempts: 1 });
    expect(b.errorMessage).toContain('failed with exit code 1');
    expect((await readStoredLog(qr.pool, b.id)).text).toContain('FAILING-BUILD-SAYS-BYE');
    expect(await steps(id)).toMatchObject([{ status: 1, busy: false }]);
    const job = await qr.pool.query(
      "SELECT state, retry_count FROM pgboss.job WHERE name = 'build-derivation' AND (data->>'buildId')::int = $1",
      [id],
    );
    expect(job.rows).toEqual([{ state: 'completed', retry_count: 0 }]);
  });

  it('2: a dependency failed with 1; the failed dependency is a step', async () => {
    // Built again, not a cached failure of test 1's build (cached-failures.int-spec covers those).
    await qr.pool.query('DELETE FROM failed_paths');
    const id = await qr.queue('dependsOnFailure');
    const b = await waitForBuild(qr.pool, id);
    expect(b.buildStatus).toBe(2);
    const s = await steps(id);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ status: 1 });
    expect(s[0]!.drv_path).toMatch(/-fails-\d+\.drv$/);
  });

  it('6: nix-support/failed, outputs kept and rooted', async () => {
    const id = await qr.queue('failedWithOutput');
    expect(await waitForBuild(qr.pool, id)).toMatchObject({ buildStatus: 6 });
    expect(existsSync(join(qr.dirs.rootsDir, `${id}-out`))).toBe(true);
  });

  it('7: meta.timeout, meta.maxSilent, and a dependency that timed out', async () => {
    const timeout = await qr.queue('hangs', { timeout: 2 });
    const silent = await qr.queue('hangs', { maxSilent: 2, job: 'hangsSilently' });
    const dep = await qr.queue('dependsOnHang', { timeout: 2 });
    for (const id of [timeout, silent, dep]) {
      const b = await waitForBuild(qr.pool, id);
      expect(b.buildStatus).toBe(7);
      expect(b.errorMessage).toContain('timed out');
    }
    expect((await readBuild(qr.pool, silent)).errorMessage).toContain('of silence');
    expect(await steps(dep)).toMatchObject([{ status: 7 }]);
  });

  it('9: no machine offers the system; after unsupported_timeout', async () => {
    const id = await qr.queue('quick1', { system: 'fc-test-arch' });
    const b = await waitForBuild(qr.pool, id);
    expect(b.buildStatus).toBe(9);
    expect(b.errorMessage).toContain('fc-test-arch');
    expect(b.stoppedAt!.getTime() - b.startedAt!.getTime()).toBeLessThan(1000);
    const created = await qr.pool.query<{ created_at: Date }>('SELECT created_at FROM builds WHERE id = $1', [
      id,
    ]);
    expect(b.stoppedAt!.getTime() - created.rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(2000);
  });

  it('10: the log outgrows logs.max_log_size', async () => {
    const id = await qr.queue('chatty');
    const b = await waitForBuild(qr.pool, id);
    expect(b.buildStatus).toBe(10);
    expect(b.errorMessage).toContain('log limit exceeded');
  });

  it('11: an output NAR over queue_runner.max_output_size', async () => {
    const id = await qr.queue('bigOutput');
    const b = await waitForBuild(qr.pool, id);
    expect(b.buildStatus).toBe(11);
    expect(existsSync(join(qr.dirs.rootsDir, `${id}-out`))).toBe(false);
  });

  it('3: a store error is retried by pg-boss, then aborted', async () => {
    const drv = await qr.instantiate('quick3');
    execFileSync('nix-store', ['--delete', drv.drvPath], { stdio: 'ignore' });
    const [id] = await qr.queueBuilds([{ job: 'deleted', drv }]);
    const b = await waitForBuild(qr.pool, id!);
    expect(b).toMatchObject({ buildStatus: 3, attempts: 2 });
    expect(b.errorMessage).toContain('cannot build missing derivation');
  });

  it('aggregates finish when their constituents do', async () => {
    const [q1, q2] = await Promise.all(['quick1', 'quick2'].map((a) => qr.instantiate(a)));
    const agg = await qr.instantiate('aggregate');
    const [aggId, c1, c2] = await qr.queueBuilds([
      { job: 'aggregate', drv: agg, isAggregate: true, constituents: [1, 2] },
      { job: 'quick1', drv: q1! },
      { job: 'quick2', drv: q2! },
    ]);
    const a = await waitForBuild(qr.pool, aggId!);
    const b1 = await readBuild(qr.pool, c1!);
    const b2 = await readBuild(qr.pool, c2!);
    expect([a.buildStatus, b1.buildStatus, b2.buildStatus]).toEqual([0, 0, 0]);
    expect(a.startedAt!.getTime()).toBeGreaterThanOrEqual(
      Math.max(b1.stoppedAt!.getTime(), b2.stoppedAt!.getTime()),
    );
    const products = await qr.pool.query('SELECT type FROM build_products WHERE build_id = $1', [aggId]);
    expect(products.rows).toEqual([{ type: 'nix-build' }]);
  });

  it('2 and 7: an aggregate whose constituent failed is not built; the failure propagates', async () => {
    const [agg1, agg2, fails, hangs, q4] = await Promise.all(
      [
        ['aggregateByName', 'a'],
        ['aggregateByName', 'b'],
        ['fails', ''],
        ['hangs', 'agg'],
        ['quick4', ''],
      ].map(([attr, salt]) => instantiate(FIXTURE_JOBS, attr!, { nonce: `${qr.nonce}${salt}` })),
    );
    const [failedAgg, timedOutAgg, c1, c2, c3] = await qr.queueBuilds([
      { job: 'agg-failed', drv: agg1!, isAggregate: true, constituents: [2, 4] },
      { job: 'agg-timed-out', drv: agg2!, isAggregate: true, constituents: [3, 4] },
      { job: 'fails', drv: fails! },
      { job: 'hangs', drv: hangs!, timeout: 1 },
      { job: 'quick4', drv: q4! },
    ]);
    const a1 = await waitForBuild(qr.pool, failedAgg!);
    const a2 = await waitForBuild(qr.pool, timedOutAgg!);
    expect([1, 7, 0]).toEqual(
      await Promise.all([c1, c2, c3].map(async (id) => (await readBuild(qr.pool, id!)).buildStatus)),
    );
    expect(a1.buildStatus).toBe(2);
    expect(a1.errorMessage).toContain(`constituent fails (build ${c1})`);
    expect(a2.buildStatus).toBe(7);
    expect(a2.errorMessage).toContain(`constituent hangs (build ${c2})`);
    // Neither aggregate derivation was built.
    for (const d of [agg1!, agg2!]) expect(existsSync(d.outputs[0]!.path)).toBe(false);
    expect(await steps(failedAgg!)).toEqual([]);
  });

  it('0 and cached: a build whose outputs are already valid', async () => {
    const id = await qr.queue('succeeds');
    const b = await waitForBuild(qr.pool, id);
    expect(b).toMatchObject({ buildStatus: 0, isCached: true });
    expect(await steps(id)).toEqual([]);
  });
});
