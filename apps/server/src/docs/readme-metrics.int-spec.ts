// The FC README's nine gauges on fc-server's /metrics, kept by triggers (migration 1002) through every
// kind of change of the rows; and every daemon's /metrics (fc-server, fc-evaluator, fc-queue-runner,
// the built programs) passes `promtool check metrics`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execa, type ResultPromise } from 'execa';
import {
  createTestDatabase,
  freePort,
  metricValue,
  parseMetrics,
  startApp,
  type TestDatabase,
} from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture } from '../testing/build-fixtures';

jest.setTimeout(120_000);

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
});

afterAll(async () => {
  await h.close();
});

/** What each README gauge must say: the rows counted, here, the slow way. */
async function truth(): Promise<Record<string, number>> {
  const { rows } = await h.pool.query<Record<string, number>>(`SELECT
    (SELECT count(*)::int FROM builds) AS fc_builds_total,
    (SELECT count(*)::int FROM builds WHERE NOT finished AND started_at IS NULL) AS fc_builds_pending,
    (SELECT count(*)::int FROM builds WHERE NOT finished AND started_at IS NOT NULL) AS fc_builds_running,
    (SELECT count(*)::int FROM builds WHERE build_status = 0) AS fc_builds_completed,
    (SELECT count(*)::int FROM builds WHERE finished AND build_status <> 0) AS fc_builds_failed,
    (SELECT count(*)::int FROM projects) AS fc_projects_total,
    (SELECT count(*)::int FROM evaluations) AS fc_evaluations_total,
    (SELECT count(*)::int FROM channels) AS fc_channels_total,
    (SELECT count(*)::int FROM remote_builders) AS fc_remote_builders_total`);
  return rows[0]!;
}

async function gauges(): Promise<Record<string, number | undefined>> {
  const samples = parseMetrics(await (await h.call('GET', '/metrics')).text());
  return Object.fromEntries(Object.keys(await truth()).map((name) => [name, metricValue(samples, name)]));
}

describe("the FC README's gauges", () => {
  it('follow inserts, state changes, restarts and deletes without counting rows at scrape time', async () => {
    const admin = await h.key('admin');
    const a = await insertFixture(h.pool, {
      builds: [
        { job: 'q', status: 'queued' },
        { job: 'r', status: 'running' },
        { job: 'ok', status: 0 },
        { job: 'bad', status: 1 },
        { job: 'cancelled', status: 4 },
      ],
    });
    await insertFixture(h.pool, { builds: [{ job: 'other', status: 'queued' }] });
    await h.call('POST', '/api/v1/channels', { key: admin, body: { jobset_id: a.jobsetId, name: 'c' } });
    await h.call('POST', '/api/v1/admin/builders', {
      key: admin,
      body: { name: 'b1', uri: 'ssh://b1.example.org', systems: ['x86_64-linux'] },
    });
    expect(await gauges()).toEqual(await truth());
    expect(await truth()).toMatchObject({ fc_builds_total: 6, fc_builds_pending: 2, fc_builds_failed: 2 });

    // A queued build starts, a running one finishes, a failed one is restarted (queued again).
    await h.pool.query('UPDATE builds SET started_at = now() WHERE id = $1', [a.buildIds[0]]);
    await h.pool.query(
      'UPDATE builds SET finished = true, build_status = 0, stopped_at = now() WHERE id = $1',
      [a.buildIds[1]],
    );
    expect((await h.call('POST', `/api/v1/builds/${a.buildIds[3]}/restart`, { key: admin })).status).toBe(
      200,
    );
    expect(await gauges()).toEqual(await truth());

    // Deleting a project cascades to its jobsets, evaluations, builds and channels.
    expect((await h.call('DELETE', `/api/v1/projects/${a.projectId}`, { key: admin })).status).toBe(204);
    const after = await truth();
    expect(after).toMatchObject({ fc_builds_total: 1, fc_channels_total: 0, fc_projects_total: 1 });
    expect(await gauges()).toEqual(after);
    // A scrape folds the appended deltas away.
    expect((await h.pool.query('SELECT count(*)::int AS n FROM row_count_deltas')).rows[0]).toEqual({ n: 0 });
  });
});

describe('promtool check metrics', () => {
  const daemons: ResultPromise[] = [];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const d of daemons) d.kill('SIGTERM');
    await Promise.all(daemons);
    await db.drop();
  });

  async function scrapeWhenUp(url: string, daemon: ResultPromise): Promise<string> {
    let exited = false;
    void daemon.finally(() => (exited = true));
    for (;;) {
      const r = await fetch(url).catch(() => undefined);
      if (r?.status === 200) return r.text();
      if (exited) throw new Error(`the daemon behind ${url} exited: ${String((await daemon).stderr)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("passes on each daemon's /metrics (fc-server, fc-evaluator, fc-queue-runner)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-promtool-'));
    const common = { FC_DATABASE__URL: db.url, FC_DATABASE__MIN_CONNECTIONS: '0' };
    const [serverPort, evaluatorPort, builderPort] = [await freePort(), await freePort(), await freePort()];
    const server = startApp('server', [], {
      env: { ...common, FC_SERVER__PORT: String(serverPort), FC_SERVER__SESSION_SECRET: 'promtool' },
    });
    const evaluator = startApp('evaluator', [], {
      env: {
        ...common,
        FC_EVALUATOR__METRICS_PORT: String(evaluatorPort),
        FC_EVALUATOR__WORK_DIR: join(dir, 'eval'),
      },
    });
    const builder = startApp('builder', [], {
      env: {
        ...common,
        FC_QUEUE_RUNNER__METRICS_PORT: String(builderPort),
        FC_QUEUE_RUNNER__WORK_DIR: join(dir, 'work'),
        FC_QUEUE_RUNNER__WORKERS: '1',
        FC_LOGS__LOG_DIR: join(dir, 'logs'),
        FC_GC__GC_ROOTS_DIR: join(dir, 'roots'),
      },
    });
    daemons.push(server, evaluator, builder);
    const outputs = {
      'fc-server': await scrapeWhenUp(`http://127.0.0.1:${serverPort}/metrics`, server),
      'fc-evaluator': await scrapeWhenUp(`http://127.0.0.1:${evaluatorPort}/metrics`, evaluator),
      'fc-queue-runner': await scrapeWhenUp(`http://127.0.0.1:${builderPort}/metrics`, builder),
    };
    for (const [daemon, text] of Object.entries(outputs)) {
      expect(text).toContain(`service="${daemon}"`);
      const r = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
      expect({ daemon, exitCode: r.exitCode, problems: `${r.stdout}${r.stderr}`.trim() }).toEqual({
        daemon,
        exitCode: 0,
        problems: '',
      });
    }
    expect(outputs['fc-server']).toContain('# TYPE fc_builds_total untyped');
    expect(outputs['fc-server']).toContain('# TYPE fc_nodejs_active_handles_total untyped');
  });
});
