// BuildLogService.read on stored chunks: slices from any offset across chunk boundaries (identity and
// zstd chunks alike), whether more may come, step logs, and NotFound for a log that is not there.
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NotFoundError } from '@fc/core';
import { appendLogChunk, finishLog, startBuildLogs, startStepLog } from '@fc/db';
import { createTestDatabase, type TestDatabase } from '@fc/testing';
import { insertFixture } from '../testing/build-fixtures';
import { BuildLogService } from './build-log.service';

describe('BuildLogService.read', () => {
  let db: TestDatabase;
  let logs: BuildLogService;
  let running: number;
  let done: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    logs = new BuildLogService(db.pool, '/nonexistent');
    const f = await insertFixture(db.pool, {
      builds: [
        { job: 'running', status: 'running' },
        { job: 'done', status: 0 },
        { job: 'no-log', status: 'queued' },
      ],
    });
    [running, done] = f.buildIds as [number, number];
    // "hello " (identity), "wide " (zstd), "world\n" (identity): 17 bytes over three chunks.
    await startBuildLogs(db.pool, running, 'host-a:1');
    let at = 0;
    for (const [text, zstd] of [
      ['hello ', false],
      ['wide ', true],
      ['world\n', false],
    ] as const) {
      const bytes = Buffer.from(text);
      await appendLogChunk(
        db.pool,
        {
          buildId: running,
          stepNr: 0,
          writer: 'host-a:1',
          startOffset: at,
          length: bytes.length,
          encoding: zstd ? 'zstd' : 'identity',
          data: zstd ? zstdCompressSync(bytes) : bytes,
        },
        false,
      );
      at += bytes.length;
    }
    await startStepLog(db.pool, running, 1, 'host-a:1');
    await appendLogChunk(
      db.pool,
      {
        buildId: running,
        stepNr: 1,
        writer: 'host-a:1',
        startOffset: 0,
        length: 5,
        encoding: 'identity',
        data: Buffer.from('step\n'),
      },
      true,
    );
    // A finished build whose runner never closed its log (it died): nothing more will come.
    await startBuildLogs(db.pool, done, 'host-b:2');
    await appendLogChunk(
      db.pool,
      {
        buildId: done,
        stepNr: 0,
        writer: 'host-b:2',
        startOffset: 0,
        length: 4,
        encoding: 'identity',
        data: Buffer.from('end\n'),
      },
      false,
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads from any offset across chunks, and says more may come while the log is open', async () => {
    expect(await logs.read(running)).toEqual({
      data: Buffer.from('hello wide world\n'),
      offset: 0,
      nextOffset: 17,
      complete: false,
    });
    const mid = await logs.read(running, { offset: 8, maxBytes: 5 });
    expect(mid.data.toString()).toBe('de wo');
    expect(mid.nextOffset).toBe(13);
    expect((await logs.read(running, { offset: 17 })).data.length).toBe(0);
    // From the end: the last 7 bytes, and where they start.
    expect(await logs.read(running, { offset: -7 })).toMatchObject({ offset: 10, nextOffset: 17 });
    expect((await logs.read(running, { offset: -7 })).data.toString()).toBe(' world\n');
    expect((await logs.read(running, { offset: -100 })).offset).toBe(0);
    await finishLog(db.pool, running, 0);
    expect((await logs.read(running, { offset: 13 })).complete).toBe(true);
    expect((await logs.read(running, { offset: 0, maxBytes: 4 })).complete).toBe(false);
  });

  it("reads a step's log, and a finished build's log is complete even when its writer never closed it", async () => {
    expect(await logs.read(running, { step: 1 })).toMatchObject({ nextOffset: 5, complete: true });
    expect((await logs.read(done)).complete).toBe(true);
    const whole: Buffer[] = [];
    for await (const piece of await logs.stream(running)) whole.push(piece as Buffer);
    expect(Buffer.concat(whole).toString()).toBe('hello wide world\n');
  });

  it('is NotFound for a build without a log, a missing step and a missing build', async () => {
    const [, , noLog] = (await db.pool.query<{ id: string }>('SELECT id FROM builds ORDER BY id')).rows;
    await expect(logs.read(Number(noLog!.id))).rejects.toThrow(NotFoundError);
    await expect(logs.read(running, { step: 9 })).rejects.toThrow('step 9 of build');
    await expect(logs.read(999_999)).rejects.toThrow('does not exist');
  });
});
