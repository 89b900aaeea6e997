// admin/system: what an operator checks first: versions, uptime, database and queue state.
import { z } from 'zod';
import { queryOne, type Pool } from '@fc/db';
import { ALL_QUEUES, type Boss } from '@fc/queue';

export interface SystemStatus {
  readonly version: string;
  readonly nodeVersion: string;
  readonly uptimeSeconds: number;
  readonly database: { readonly version: string; readonly sizeBytes: number };
  readonly counts: Record<
    'projects' | 'jobsets' | 'evaluations' | 'users' | 'apiKeys' | 'remoteBuilders',
    number
  >;
  readonly queues: { name: string; queued: number; active: number }[];
}

export class SystemService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    private readonly version: string,
  ) {}

  async status(): Promise<SystemStatus> {
    const row = await queryOne(
      this.pool,
      z.object({
        version: z.string(),
        sizeBytes: z.number(),
        projects: z.number(),
        jobsets: z.number(),
        evaluations: z.number(),
        users: z.number(),
        apiKeys: z.number(),
        remoteBuilders: z.number(),
      }),
      `SELECT current_setting('server_version') AS version, pg_database_size(current_database())::bigint AS size_bytes,
         (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM jobsets) AS jobsets,
         (SELECT count(*)::int FROM evaluations) AS evaluations, (SELECT count(*)::int FROM users) AS users,
         (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM remote_builders) AS remote_builders`,
    );
    const queues = [];
    for (const name of ALL_QUEUES) {
      const q = await this.boss.getQueue(name);
      queues.push({ name, queued: q?.queuedCount ?? 0, active: q?.activeCount ?? 0 });
    }
    const { version, sizeBytes, ...counts } = row;
    return {
      version: this.version,
      nodeVersion: process.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      database: { version, sizeBytes },
      counts,
      queues,
    };
  }
}
