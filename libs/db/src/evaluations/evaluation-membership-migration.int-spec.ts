// 0203 moves a database's evaluation membership from one row per build to builds.evaluation_id plus
// rows for reused builds only. Run on a database holding memberships written the old way, it must
// lose none of them: the evaluation_builds view lists exactly what the table did.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { migrateUp } from '../migrations/migrator';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '@fc/testing';

const MIGRATION = '0203_evaluation_reused_builds.sql';

function migrationsBefore(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < name)) {
    copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  }
  return dir;
}

describe(`migration ${MIGRATION}`, () => {
  let db: TestDatabase;
  afterAll(async () => {
    await db.drop();
  });

  it('keeps every evaluation membership, with is_new, and stores only reused builds as rows', async () => {
    db = await createTestDatabase({ template: false });
    const dir = migrationsBefore(MIGRATION);
    await migrateUp(db.pool, dir);
    const q = async (sql: string, params: unknown[] = []): Promise<unknown[]> =>
      (await db.pool.query(sql, params)).rows as unknown[];
    await q(`INSERT INTO projects (id, name, repository_url) VALUES (1, 'p', 'file:///p')`);
    await q(`INSERT INTO jobsets (id, project_id, name, nix_expression) VALUES (1, 1, 'j', 'default.nix')`);
    await q(`INSERT INTO evaluations (id, jobset_id, project_id, status) VALUES
               (1, 1, 1, 'succeeded'), (2, 1, 1, 'succeeded')`);
    // 10 and 11 created by evaluation 1; 12 by 2; 13 written without its creating evaluation.
    await q(`INSERT INTO builds (id, project_id, jobset_id, evaluation_id, job, drv_path, system) VALUES
               (10, 1, 1, 1, 'a', '/nix/store/a.drv', 'x86_64-linux'),
               (11, 1, 1, 1, 'b', '/nix/store/b.drv', 'x86_64-linux'),
               (12, 1, 1, 2, 'b', '/nix/store/b2.drv', 'x86_64-linux'),
               (13, 1, 1, NULL, 'c', '/nix/store/c.drv', 'x86_64-linux')`);
    // Evaluation 2 reuses 10 (is_new false); 13 is new in 2.
    await q(`INSERT INTO evaluation_builds (evaluation_id, build_id, is_new) VALUES
               (1, 10, true), (1, 11, true), (2, 10, false), (2, 12, true), (2, 13, true)`);
    const before = await q('SELECT evaluation_id, build_id, is_new FROM evaluation_builds ORDER BY 1, 2');

    copyFileSync(join(MIGRATIONS_DIR, MIGRATION), join(dir, MIGRATION));
    expect((await migrateUp(db.pool, dir)).applied.map((m) => m.fileName)).toEqual([MIGRATION]);

    expect(await q('SELECT evaluation_id, build_id, is_new FROM evaluation_builds ORDER BY 1, 2')).toEqual(
      before,
    );
    expect(await q('SELECT evaluation_id, build_id FROM evaluation_reused_builds')).toEqual([
      { evaluation_id: 2, build_id: 10 },
    ]);
    expect(await q('SELECT evaluation_id FROM builds WHERE id = 13')).toEqual([{ evaluation_id: 2 }]);
  });
});
