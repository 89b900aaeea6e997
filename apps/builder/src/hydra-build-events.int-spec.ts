// Hydra's build events from the built fc-queue-runner, as a hydra-notify listener sees them:
// build_started, step_finished per step (build, step number, and where its log is: its URL on
// fc-server, under server.base_url), build_finished — listing, after the build, its dependents: the
// builds waiting that needed its failed step, finished unrun with it.
import { describe, expect, it, jest } from '@jest/globals';
import { HydraChannel } from '@fc/builds';
import { findLogHeader } from '@fc/db';
import {
  readBuild,
  readStoredLog,
  waitForBuild,
  waitForBusyStep,
  setUpQueueRunner,
} from './testing/builder-harness';

jest.setTimeout(90_000);

describe("fc-queue-runner: Hydra's build events", () => {
  const BASE_URL = 'https://ci.example.org/fc';

  const qr = setUpQueueRunner({
    env: { FC_SERVER__BASE_URL: BASE_URL },
    listen: Object.values(HydraChannel),
  });

  /** Each step's number and the URL of its log, as step_finished names it. */
  async function stepLogs(id: number): Promise<Map<number, string>> {
    const r = await qr.pool.query<{ step_nr: number }>(
      'SELECT step_nr FROM build_steps WHERE build_id = $1 ORDER BY step_nr',
      [id],
    );
    return new Map(r.rows.map((s) => [s.step_nr, `${BASE_URL}/build/${id}/nixlog/${s.step_nr}`]));
  }

  /** The log of step `nr` of build `id` as stored, and whether it is closed. */
  async function storedStepLog(id: number, nr: number) {
    const header = await findLogHeader(qr.pool, id, nr);
    return { ...(await readStoredLog(qr.pool, id, nr)), finished: header?.finished };
  }

  /** The events about build `id`, in the order they arrived. */
  const eventsOf = (id: number) =>
    qr.listener.received.filter((n) => n.payload === String(id) || n.payload.startsWith(`${id}\t`));

  it('a build that succeeds: build_queued, build_started, step_finished with its log, build_finished', async () => {
    const drv = await qr.instantiate('succeeds');
    const [id] = (await qr.queueBuilds([{ job: 'succeeds', drv }])) as [number];
    await waitForBuild(qr.pool, id);
    await qr.listener.waitFor((n) => n.channel === 'build_finished' && n.payload === String(id));
    const logs = await stepLogs(id);
    expect(logs.size).toBe(1);
    expect(eventsOf(id)).toEqual([
      { channel: 'build_queued', payload: String(id) },
      { channel: 'build_started', payload: String(id) },
      { channel: 'step_finished', payload: `${id}\t1\t${logs.get(1)}` },
      { channel: 'build_finished', payload: String(id) },
    ]);
    // What the URL serves (fc-server's /build/{id}/nixlog/{nr}): the step's output, its log closed.
    expect(await storedStepLog(id, 1)).toMatchObject({
      text: expect.stringContaining('SUCCESS-BUILD-SAYS-HI') as unknown,
      finished: true,
    });
  });

  it("a build whose dependency fails: the dependency's step_finished, then build_finished", async () => {
    const drv = await qr.instantiate('dependsOnFailure');
    const [id] = (await qr.queueBuilds([{ job: 'dependsOnFailure', drv }])) as [number];
    const b = await waitForBuild(qr.pool, id);
    expect(b.buildStatus).toBe(2);
    await qr.listener.waitFor((n) => n.channel === 'build_finished' && n.payload === String(id));
    const logs = await stepLogs(id);
    expect(eventsOf(id)).toEqual([
      { channel: 'build_queued', payload: String(id) },
      { channel: 'build_started', payload: String(id) },
      ...[...logs].map(([nr, log]) => ({ channel: 'step_finished', payload: `${id}\t${nr}\t${log}` })),
      { channel: 'build_finished', payload: String(id) },
    ]);
  });

  it('a failed step finishes the builds waiting that need it: listed after the build on its build_finished', async () => {
    const failing = await qr.instantiate('failsSlowly');
    const dependent = await qr.instantiate('dependsOnSlowFailure');
    const aggregate = await qr.instantiate('aggregateByName');
    const [id] = (await qr.queueBuilds([{ job: 'failsSlowly', drv: failing }])) as [number];
    await waitForBusyStep(qr.pool, id);
    // While it builds (the one worker is busy), builds that need its derivation wait in the queue: one
    // that depends on it, one of the same derivation (another job), an aggregate naming it.
    const waiting = await qr.queueBuilds([
      { job: 'dependsOnSlowFailure', drv: dependent },
      { job: 'failsSlowly-again', drv: failing },
      { job: 'aggregateByName', drv: aggregate, isAggregate: true },
    ]);
    await qr.pool.query('INSERT INTO aggregate_constituents (aggregate_id, constituent_id) VALUES ($1, $2)', [
      waiting[2],
      id,
    ]);
    expect((await waitForBuild(qr.pool, id)).buildStatus).toBe(1);
    const finishedWith = `${id}\t${waiting.join('\t')}`;
    await qr.listener.waitFor((n) => n.channel === 'build_finished' && n.payload.startsWith(`${id}\t`));
    expect(eventsOf(id).at(-1)).toEqual({ channel: 'build_finished', payload: finishedWith });

    // Each finished unrun in the same transaction, never started, with Hydra's status for a build that
    // needs a failed step and a step naming the failed build — the aggregate as one whose constituent
    // failed — and nothing announced of its own but its queueing.
    const unrun = `derivation ${failing.drvPath} failed in build ${id}; this build needs it and was not run`;
    const expected = [
      { status: 2, error: unrun, steps: [{ drv_path: failing.drvPath, status: 1, propagated_from: id }] },
      { status: 1, error: unrun, steps: [{ drv_path: failing.drvPath, status: 1, propagated_from: id }] },
      {
        status: 2,
        error: `dependency failed: constituent failsSlowly (build ${id}) finished with status 1`,
        steps: [],
      },
    ];
    for (const [i, e] of expected.entries()) {
      const b = await readBuild(qr.pool, waiting[i]!);
      expect(b).toMatchObject({ finished: true, buildStatus: e.status, attempts: 0, isCached: false });
      expect(b.errorMessage).toBe(e.error);
      expect(b.startedAt).toEqual(b.stoppedAt);
      const steps = await qr.pool.query(
        'SELECT drv_path, status, propagated_from FROM build_steps WHERE build_id = $1',
        [waiting[i]],
      );
      expect(steps.rows).toEqual(e.steps);
      expect(eventsOf(waiting[i]!)).toEqual([{ channel: 'build_queued', payload: String(waiting[i]) }]);
    }
    // Their queued jobs went with them; each is reported to the notification channels.
    const jobs = await qr.pool.query<{ state: string }>(
      `SELECT j.state FROM pgboss.job j JOIN builds b ON b.queue_job_id = j.id::text WHERE b.id = ANY($1)`,
      [waiting],
    );
    expect(jobs.rows.map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const notices = await qr.pool.query<{ build_id: number }>(
      `SELECT (data->>'buildId')::int AS build_id FROM pgboss.job
       WHERE name = 'notify-build' AND data->>'event' = 'finished' AND (data->>'buildId')::int = ANY($1)
       ORDER BY 1`,
      [waiting],
    );
    expect(notices.rows.map((n) => n.build_id)).toEqual(waiting);
  });

  it('a later build that needs the failed derivation is a cached failure: queued and finished, never started', async () => {
    // failsSlowly failed above (its outputs are in the failed-paths cache).
    const dependent = await qr.instantiate('dependsOnSlowFailure');
    const [id] = (await qr.queueBuilds([{ job: 'dependsOnSlowFailure-later', drv: dependent }])) as [number];
    const b = await waitForBuild(qr.pool, id);
    expect(b).toMatchObject({ buildStatus: 2, isCached: true, attempts: 0 });
    expect(b.startedAt).toEqual(b.stoppedAt);
    await qr.listener.waitFor((n) => n.channel === 'build_finished' && n.payload === String(id));
    // As Hydra: no build_started, and no step_finished for its cached-failure step.
    expect(eventsOf(id)).toEqual([
      { channel: 'build_queued', payload: String(id) },
      { channel: 'build_finished', payload: String(id) },
    ]);
  });
});
