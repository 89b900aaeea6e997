// Drops what earlier runs left behind: spec databases of test processes that no longer exist
// (a run killed before its afterAll), and templates of older schemas (all but the twelve newest
// others, which a concurrent run on another branch may still clone) that nobody is connected to.
import pg from 'pg';

/** Templates of other schemas kept: concurrent runs on other branches (worktrees) may clone them. */
const KEEP_OTHER_TEMPLATES = 12;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function dropStaleTestDatabases(adminUrl: string, currentTemplate: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const dropped: string[] = [];
  try {
    // Newest first (OIDs grow): the newest other templates may belong to concurrent runs.
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'fc\\_test\\_%' ORDER BY oid DESC",
    );
    const otherTemplates = rows
      .map((r) => r.datname)
      .filter((d) => /^fc_test_tpl_[0-9a-f]{12}$/.test(d) && d !== currentTemplate);
    const oldTemplates = new Set(otherTemplates.slice(KEEP_OTHER_TEMPLATES));
    for (const { datname } of rows) {
      const spec = /^fc_test_(\d+)_[0-9a-f]{8}$/.exec(datname);
      const staleSpec = spec !== null && !processAlive(Number(spec[1]));
      const staleTemplate = oldTemplates.has(datname);
      if (!staleSpec && !staleTemplate) continue;
      try {
        // Without FORCE: a database someone is connected to stays.
        await admin.query(`DROP DATABASE IF EXISTS "${datname}"`);
        dropped.push(datname);
      } catch {
        /* in use by a concurrent run */
      }
    }
  } finally {
    await admin.end();
  }
  return dropped;
}
