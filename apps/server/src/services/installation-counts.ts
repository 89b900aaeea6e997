// The FC README's installation gauges from the trigger-kept row counts (migration 1002): the deltas
// appended since the last scrape are folded in, then the sums read.
import type { InstallationCounts } from '@fc/metrics';
import { compactRowCounts, readRowCounts, type Pool } from '@fc/db';

export async function installationCounts(pool: Pool): Promise<InstallationCounts> {
  await compactRowCounts(pool);
  const counts = await readRowCounts(pool);
  const n = (name: string) => counts.get(name) ?? 0;
  return {
    builds: n('builds'),
    buildsPending: n('builds_pending'),
    buildsSucceeded: n('builds_succeeded'),
    buildsFailed: n('builds_failed'),
    projects: n('projects'),
    evaluations: n('evaluations'),
    channels: n('channels'),
    remoteBuilders: n('remote_builders'),
  };
}
