// admin/system: what an operator checks first: versions, uptime, database and queue state.
import { z } from 'zod';
import { queryOne, type Pool } from '@fc/db';
import { ALL_QUEUES, daemonInstances, type Boss } from '@fc/queue';
import { nixVersion } from '@fc/nix';
import { isDaemonAlive } from './queue-health';

export interface DaemonStatus {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly heartbeatAt: Date;
  readonly alive: boolean;
  /** When it stopped gracefully (a stopped daemon is not a silent one); null while it runs. */
  readonly stoppedAt: Date | null;
  readonly queues: readonly string[];
}

export interface SystemStatus {
  readonly version: string;
  readonly nodeVersion: string;
  readonly uptimeSeconds: number;
  readonly database: { readonly version: string; readonly sizeBytes: number };
  /** The newest applied migration (fc_schema_migrations). */
  readonly schemaVersion: number;
  /** `nix --version` on the server's machine; null when Nix cannot be run there. */
  readonly nixVersion: string | null;
  /** Every daemon registered with pg-boss (fc-server, fc-evaluator, fc-queue-runner), with its heartbeat. */
  readonly daemons: readonly DaemonStatus[];
  readonly counts: Record<
    'projects' | 'jobsets' | 'evaluations' | 'users' | 'apiKeys' | 'remoteBuilders',
    number
  >;
  readonly queues: { name: string; queued: number; active: number }[];
}

export class SystemService {
  private readonly startedAt = Date.now();
  private nix: Promise<string | undefined> | undefined;

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
        schemaVersion: z.number(),
      }),
      `SELECT current_setting('server_version') AS version, pg_database_size(current_database())::bigint AS size_bytes,
         (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM jobsets) AS jobsets,
         (SELECT count(*)::int FROM evaluations) AS evaluations, (SELECT count(*)::int FROM users) AS users,
         (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM remote_builders) AS remote_builders,
         (SELECT coalesce(max(version), 0) FROM fc_schema_migrations) AS schema_version`,
    );
    const queues = [];
    for (const name of ALL_QUEUES) {
      const q = await this.boss.getQueue(name);
      queues.push({ name, queued: q?.queuedCount ?? 0, active: q?.activeCount ?? 0 });
    }
    const { version, sizeBytes, schemaVersion, ...counts } = row;
    // Nix does not change under a running server: asked once.
    this.nix ??= nixVersion();
    const [nix, instances] = await Promise.all([this.nix, daemonInstances(this.pool)]);
    const now = new Date();
    return {
      version: this.version,
      nodeVersion: process.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      database: { version, sizeBytes },
      schemaVersion,
      nixVersion: nix ?? null,
      daemons: instances.map((d) => ({
        name: d.name ?? 'unnamed',
        host: d.host,
        pid: d.pid,
        startedAt: d.startedOn,
        heartbeatAt: d.heartbeatOn,
        alive: isDaemonAlive(d, now),
        stoppedAt: d.stoppedOn,
        queues: d.queues,
      })),
      counts,
      queues,
    };
  }
}
