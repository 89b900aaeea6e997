// Build logs as queue runners store them: a chunk is stored only by the log's writer and only at the
// log's end, so two attempts of one build (a stale one still writing while a newer one started the log
// again) never collide on a chunk's offset, and a new attempt's log holds nothing of an old one's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@fc/testing';
import {
  appendLogChunk,
  findLogHeader,
  listLogChunks,
  startBuildLogs,
  startStepLog,
} from './build-log-queries';

describe('build log chunks', () => {
  let db: TestDatabase;
  let buildId: number;

  const chunk = (writer: string, startOffset: number, text: string, stepNr = 0) => ({
    buildId,
    stepNr,
    writer,
    startOffset,
    length: Buffer.byteLength(text),
    encoding: 'identity' as const,
    data: Buffer.from(text),
  });
  const stored = async (stepNr = 0) =>
    (await listLogChunks(db.pool, buildId, stepNr, 0, 100))
      .map((c) => `${c.startOffset}:${c.data.toString()}`)
      .join(' ');

  beforeAll(async () => {
    db = await createTestDatabase();
    const q = (sql: string) => db.pool.query<{ id: string }>(sql);
    await q(`INSERT INTO projects (name, repository_url) VALUES ('logs', 'file:///dev/null')`);
    await q(
      `INSERT INTO jobsets (project_id, name, nix_expression) SELECT id, 'j', 'default.nix' FROM projects`,
    );
    const b = await q(`INSERT INTO builds (project_id, jobset_id, job, drv_path, system)
                       SELECT project_id, id, 'job', '/nix/store/x-job.drv', 'x86_64-linux' FROM jobsets RETURNING id`);
    buildId = Number(b.rows[0]!.id);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it("stores a writer's chunks in order, and refuses one that does not start at the log's end", async () => {
    await startBuildLogs(db.pool, buildId, 'runner-a:1');
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 0, 'one\n'), false)).toBe(true);
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 4, 'two\n'), false)).toBe(true);
    // The same offset again (a duplicate), or past the end (a gap): not stored.
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 4, 'TWO\n'), false)).toBe(false);
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 20, 'far\n'), false)).toBe(false);
    expect(await stored()).toBe('0:one\n 4:two\n');
    expect(await findLogHeader(db.pool, buildId, 0)).toMatchObject({ size: 8, finished: false });
  });

  it('starts a new attempt empty; the old attempt can no longer write into it, at any offset', async () => {
    await startStepLog(db.pool, buildId, 1, 'runner-a:1');
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 0, 'step\n', 1), false)).toBe(true);
    // A newer attempt on another runner starts the build's logs again: the old ones are gone.
    await startBuildLogs(db.pool, buildId, 'runner-b:2');
    expect(await stored()).toBe('');
    expect(await stored(1)).toBe('');
    expect(await findLogHeader(db.pool, buildId, 1)).toBeUndefined();
    // The stale attempt's next chunk, and even one at offset 0, is refused; the new one's is stored.
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 8, 'stale\n'), false)).toBe(false);
    expect(await appendLogChunk(db.pool, chunk('runner-a:1', 0, 'stale\n'), false)).toBe(false);
    expect(await appendLogChunk(db.pool, chunk('runner-b:2', 0, 'fresh\n'), true)).toBe(true);
    expect(await stored()).toBe('0:fresh\n');
    // Closed: nothing more is stored, even by its writer.
    expect(await appendLogChunk(db.pool, chunk('runner-b:2', 6, 'late\n'), false)).toBe(false);
    expect(await findLogHeader(db.pool, buildId, 0)).toMatchObject({ size: 6, finished: true });
  });
});
