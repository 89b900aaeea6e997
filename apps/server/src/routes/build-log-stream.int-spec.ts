// GET /api/v1/builds/{id}/log/stream against real builds: fc-queue-runner builds with Nix (logs
// zstd-compressed, so a running log is read mid-frame), fc-server follows the log as it grows.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import {
  createLiveJobset,
  queueLiveBuild,
  randomNonce,
  startQueueRunner,
  type LiveJobset,
  type QueueRunner,
} from '../testing/real-builds';
import { readEvents, type ReceivedEvent } from '../testing/sse-client';

jest.setTimeout(120_000);

describe('the live build log stream', () => {
  let h: ApiHarness;
  let runner: QueueRunner;
  let jobset: LiveJobset;

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    jobset = await createLiveJobset(h.pool, 'live');
    runner = startQueueRunner(h.db.url, { FC_LOGS__COMPRESS: 'true' });
  });

  afterAll(async () => {
    await runner?.stop();
    await h?.close();
  });

  const stream = (id: number, headers: Record<string, string> = {}) =>
    h.call('GET', `/api/v1/builds/${id}/log/stream`, { headers });

  const logText = (events: readonly ReceivedEvent[]) =>
    events
      .filter((e) => e.event === 'log')
      .map((e) => (JSON.parse(e.data) as { text: string }).text)
      .join('');

  it('follows a running build, resumes from Last-Event-ID, and ends with its final status', async () => {
    const marker = `M${randomNonce()}`;
    const id = await queueLiveBuild(h.pool, h.boss, jobset, 'slow', { nonce: randomNonce(), marker });

    // Connected while the build is still queued: the first lines arrive while it runs.
    const first = await stream(id);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: ReceivedEvent[] = [];
    for await (const e of readEvents(first)) {
      seen.push(e);
      if (logText(seen).includes(`${marker}-2\n`)) break;
    }
    const running = (await (await h.call('GET', `/api/v1/builds/${id}`)).json()) as { status: string };
    expect(running.status).toBe('running');
    expect(seen.every((e) => e.event === 'log')).toBe(true);
    // Each event's id is the byte offset its text ends at.
    expect(Number(seen.at(-1)!.id)).toBe(Buffer.byteLength(logText(seen)));
    await first.body?.cancel();

    // Reconnect where the last event ended: the rest comes once, then the end with the build.
    const second = await stream(id, { 'last-event-id': seen.at(-1)!.id! });
    const rest: ReceivedEvent[] = [];
    for await (const e of readEvents(second)) rest.push(e);
    const end = rest.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ id, status: 'succeeded', build_status: 0, finished: true });

    const whole = await (await h.call('GET', `/api/v1/builds/${id}/log`)).text();
    expect(logText(seen) + logText(rest)).toBe(whole);
    for (const n of [1, 2, 3, 4]) expect(whole).toContain(`${marker}-${n}\n`);
  });

  it('gives a finished build its whole log at once, then the end; ?offset= starts later', async () => {
    const marker = `F${randomNonce()}`;
    const id = await queueLiveBuild(h.pool, h.boss, jobset, 'fails', { nonce: randomNonce(), marker });
    let events: ReceivedEvent[] = [];
    // Followed from the queue to the end: the failing status arrives in the end event.
    for await (const e of readEvents(await stream(id))) events.push(e);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ status: 'failed', build_status: 1 });

    events = [];
    for await (const e of readEvents(await stream(id))) events.push(e);
    expect(events.map((e) => e.event)).toEqual(['log', 'end']);
    const whole = await (await h.call('GET', `/api/v1/builds/${id}/log`)).text();
    expect(logText(events)).toBe(whole);
    expect(whole).toContain(`${marker}-failing`);

    const later: ReceivedEvent[] = [];
    for await (const e of readEvents(await h.call('GET', `/api/v1/builds/${id}/log/stream?offset=3`))) {
      later.push(e);
    }
    expect(logText(later)).toBe(whole.slice(3));
  });

  it('answers 404 for a build that does not exist and 400 for a bad offset', async () => {
    const missing = await stream(999_999);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await h.call('GET', '/api/v1/builds/1/log/stream?offset=-1')).status).toBe(400);
  });
});
