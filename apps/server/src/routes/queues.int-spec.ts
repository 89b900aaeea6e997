// Queue inspection through the admin API, on real pg-boss queues: counts per state, failed jobs with
// the build or jobset they are about, retry in FC's terms, failed notification deliveries with retry,
// and the system status's daemons, Nix and schema versions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueName, sendJob } from '@fc/queue';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';

interface QueueSummary {
  name: string;
  counts: Record<string, number>;
  problems: string[];
  oldest_waiting_seconds: number | null;
}
interface QueueJob {
  id: string;
  state: string;
  about: string;
  error: string | null;
  build: { id: number; status: string } | null;
  jobset: { project: string; name: string } | null;
}

describe('admin queue inspection', () => {
  let h: ApiHarness;
  let admin: string;
  let f: Fixture;

  /** Sends a job with no retries left and fails it with `error`, as a worker's last attempt would. */
  async function failedJob<Q extends QueueName>(
    queue: Q,
    data: Parameters<typeof sendJob<Q>>[2],
    error: string,
  ) {
    const id = await sendJob(h.boss, queue, data, { retryLimit: 0 });
    await h.boss.fail(queue, id!, { message: error });
    expect((await h.boss.findJobs(queue, { id: id! }))[0]?.state).toBe('failed');
    return id!;
  }

  const get = async <T>(path: string) => {
    const res = await h.call('GET', path, { key: admin });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    admin = await h.key('admin');
    f = await insertFixture(h.pool, {
      project: 'queues',
      builds: [
        { job: 'stuck', status: 'queued' },
        { job: 'aborted', status: 3 },
        { job: 'notified', status: 0 },
      ],
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('counts jobs per state and names what each failed job is about, with its error', async () => {
    await failedJob(
      QueueName.BuildDerivation,
      { buildId: f.buildIds[0]! },
      'nix-daemon went away <script>x</script>',
    );
    await sendJob(h.boss, QueueName.EvaluateJobset, { jobsetId: f.jobsetId, reason: 'api' });

    const o = await get<{ queues: QueueSummary[] }>('/api/v1/admin/queues');
    const byName = new Map(o.queues.map((q) => [q.name, q]));
    expect([...byName.keys()].sort()).toEqual([
      'build-derivation',
      'evaluate-jobset',
      'notify-build',
      'notify-evaluation',
    ]);
    expect(byName.get('build-derivation')!.counts).toMatchObject({
      failed: 1,
      failed_last_day: 1,
      waiting: 0,
    });
    expect(byName.get('build-derivation')!.problems).toContain('1 job(s) failed in the last 24 h');
    const evaluate = byName.get('evaluate-jobset')!;
    expect(evaluate.counts).toMatchObject({ waiting: 1, failed: 0 });
    expect(evaluate.oldest_waiting_seconds).toEqual(expect.any(Number));
    // No daemon works the queue in this spec: the waiting evaluation is flagged.
    expect(evaluate.problems).toContain('jobs are waiting and no running daemon works this queue');

    const failed = await get<{ items: QueueJob[] }>(
      '/api/v1/admin/queues/build-derivation/jobs?state=failed',
    );
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]).toMatchObject({
      state: 'failed',
      about: `build ${f.buildIds[0]} (stuck) of queues:main`,
      error: 'nix-daemon went away <script>x</script>',
      build: { id: f.buildIds[0], status: 'queued' },
    });
    const waiting = await get<{ items: QueueJob[] }>(
      '/api/v1/admin/queues/evaluate-jobset/jobs?state=created',
    );
    expect(waiting.items[0]).toMatchObject({
      about: 'evaluation of queues:main',
      jobset: { project: 'queues', name: 'main' },
    });
  });

  it('retries a failed job of an unfinished build, and restarts a finished one', async () => {
    const [failed] = (await get<{ items: QueueJob[] }>('/api/v1/admin/queues/build-derivation/jobs')).items;
    const retried = await h.call('POST', `/api/v1/admin/queues/build-derivation/jobs/${failed!.id}/retry`, {
      key: admin,
    });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ outcome: 'job-retried', build_id: null });
    expect((await get<QueueJob>(`/api/v1/admin/queues/build-derivation/jobs/${failed!.id}`)).state).toBe(
      'retry',
    );
    // Not failed any more: a second retry is a conflict and changes nothing.
    const again = await h.call('POST', `/api/v1/admin/queues/build-derivation/jobs/${failed!.id}/retry`, {
      key: admin,
    });
    expect(again.status).toBe(409);

    const abortedJob = await failedJob(
      QueueName.BuildDerivation,
      { buildId: f.buildIds[1]! },
      'out of attempts',
    );
    const restarted = await h.call('POST', `/api/v1/admin/queues/build-derivation/jobs/${abortedJob}/retry`, {
      key: admin,
    });
    expect(await restarted.json()).toEqual({ outcome: 'build-restarted', build_id: f.buildIds[1] });
    const build = await get<{ status: string }>(`/api/v1/builds/${f.buildIds[1]}`);
    expect(build.status).toBe('queued');
  });

  it('lists failed notification deliveries and delivers one again', async () => {
    const buildId = f.buildIds[2]!;
    const d = await h.pool.query<{ id: string }>(
      `INSERT INTO notification_deliveries (build_id, kind, target, build_stopped_at, status, attempts, last_error, http_status)
       SELECT id, 'webhook', 'https://hooks.example/<img src=x onerror=alert(1)>', stopped_at, 'failed', 6, 'HTTP 502', 502
       FROM builds WHERE id = $1 RETURNING id`,
      [buildId],
    );
    const deliveryId = Number(d.rows[0]!.id);
    const list = await get<{ items: Record<string, unknown>[] }>('/api/v1/admin/notifications/failed');
    expect(list.items).toEqual([
      expect.objectContaining({
        id: deliveryId,
        build_id: buildId,
        job: 'notified',
        build_status: 'succeeded',
        kind: 'webhook',
        error: 'HTTP 502',
        http_status: 502,
        attempts: 6,
        retryable: true,
      }),
    ]);

    const retry = await h.call('POST', `/api/v1/admin/notifications/${deliveryId}/retry`, { key: admin });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ build_id: buildId });
    const row = await h.pool.query('SELECT status FROM notification_deliveries WHERE id = $1', [deliveryId]);
    expect(row.rows[0]).toEqual({ status: 'pending' });
    const jobs = await get<{ items: QueueJob[] }>('/api/v1/admin/queues/notify-build/jobs?state=created');
    expect(jobs.items.map((j) => j.build?.id)).toEqual([buildId]);
    expect((await get<{ items: unknown[] }>('/api/v1/admin/notifications/failed')).items).toEqual([]);
    expect(
      (await h.call('POST', `/api/v1/admin/notifications/${deliveryId}/retry`, { key: admin })).status,
    ).toBe(409);
    expect((await h.call('POST', '/api/v1/admin/notifications/999999/retry', { key: admin })).status).toBe(
      404,
    );
  });

  it('is for admins only', async () => {
    const readOnly = await h.key('read-only');
    for (const path of [
      '/api/v1/admin/queues',
      '/api/v1/admin/queues/notify-build/jobs',
      '/api/v1/admin/notifications/failed',
    ]) {
      expect((await h.call('GET', path, { key: readOnly })).status).toBe(403);
      expect((await h.call('GET', path)).status).toBe(401);
    }
    expect((await h.call('GET', '/api/v1/admin/queues/no-such-queue/jobs', { key: admin })).status).toBe(400);
  });

  it("shows each daemon's heartbeat, the Nix version and the schema version in the system status", async () => {
    const st = await get<{
      schema_version: number;
      nix_version: string | null;
      daemons: { host: string; pid: number; alive: boolean; heartbeat_at: string }[];
    }>('/api/v1/admin/system');
    expect(st.schema_version).toBeGreaterThanOrEqual(750);
    expect(st.nix_version).toMatch(/^\d+\.\d+/);
    // The harness's own pg-boss instance is this process.
    expect(st.daemons).toContainEqual(expect.objectContaining({ pid: process.pid, alive: true }));
  });
});
