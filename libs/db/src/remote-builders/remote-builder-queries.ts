// Remote builders (Hydra's machines file, kept in the database).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, updateSetList, countRow } from '../sql';
import { page, type Page, type PageRequest } from '../pagination';

export const remoteBuilderRow = z.object({
  id: z.number(),
  name: z.string(),
  uri: z.string(),
  systems: z.array(z.string()),
  maxJobs: z.number(),
  speedFactor: z.number(),
  supportedFeatures: z.array(z.string()),
  mandatoryFeatures: z.array(z.string()),
  sshKeyFile: z.string().nullable(),
  publicHostKey: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type RemoteBuilderRow = z.output<typeof remoteBuilderRow>;

/** What the queue runner hands Nix of an enabled builder (a line of Hydra's machines file). */
export const enabledBuilderRow = remoteBuilderRow.pick({
  name: true,
  uri: true,
  systems: true,
  maxJobs: true,
  speedFactor: true,
  supportedFeatures: true,
  mandatoryFeatures: true,
  sshKeyFile: true,
  publicHostKey: true,
});
export type EnabledBuilderRow = z.output<typeof enabledBuilderRow>;

const COLUMNS = `id, name, uri, systems, max_jobs, speed_factor, supported_features, mandatory_features,
  ssh_key_file, public_host_key, enabled, created_at, updated_at`;

export interface RemoteBuilderFields {
  readonly name: string;
  readonly uri: string;
  readonly systems: readonly string[];
  readonly maxJobs?: number | undefined;
  readonly speedFactor?: number | undefined;
  readonly supportedFeatures?: readonly string[] | undefined;
  readonly mandatoryFeatures?: readonly string[] | undefined;
  readonly sshKeyFile?: string | null | undefined;
  readonly publicHostKey?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

export async function insertRemoteBuilder(db: Queryable, b: RemoteBuilderFields): Promise<RemoteBuilderRow> {
  return queryOne(
    db,
    remoteBuilderRow,
    `INSERT INTO remote_builders (name, uri, systems, max_jobs, speed_factor, supported_features,
       mandatory_features, ssh_key_file, public_host_key, enabled)
     VALUES ($1, $2, $3, coalesce($4, 1), coalesce($5, 1), coalesce($6::text[], '{}'), coalesce($7::text[], '{}'), $8, $9,
       coalesce($10, true))
     RETURNING ${COLUMNS}`,
    [
      b.name,
      b.uri,
      b.systems,
      b.maxJobs ?? null,
      b.speedFactor ?? null,
      b.supportedFeatures ?? null,
      b.mandatoryFeatures ?? null,
      b.sshKeyFile ?? null,
      b.publicHostKey ?? null,
      b.enabled ?? null,
    ],
  );
}

const UPDATABLE: Record<string, string> = {
  name: 'name',
  uri: 'uri',
  systems: 'systems',
  maxJobs: 'max_jobs',
  speedFactor: 'speed_factor',
  supportedFeatures: 'supported_features',
  mandatoryFeatures: 'mandatory_features',
  sshKeyFile: 'ssh_key_file',
  publicHostKey: 'public_host_key',
  enabled: 'enabled',
};

export async function updateRemoteBuilder(
  db: Queryable,
  id: number,
  changes: Partial<RemoteBuilderFields>,
): Promise<RemoteBuilderRow | undefined> {
  const values: unknown[] = [id];
  const sets = updateSetList(changes, UPDATABLE, values);
  return queryMaybeOne(
    db,
    remoteBuilderRow,
    `UPDATE remote_builders SET ${sets} WHERE id = $1 RETURNING ${COLUMNS}`,
    values,
  );
}

export async function findRemoteBuilder(db: Queryable, id: number): Promise<RemoteBuilderRow | undefined> {
  return queryMaybeOne(db, remoteBuilderRow, `SELECT ${COLUMNS} FROM remote_builders WHERE id = $1`, [id]);
}

/** The enabled remote builders, as the queue runner hands them to Nix. */
export async function enabledRemoteBuilders(db: Queryable): Promise<EnabledBuilderRow[]> {
  return queryRows(
    db,
    enabledBuilderRow,
    `SELECT name, uri, systems, max_jobs, speed_factor, supported_features, mandatory_features,
            ssh_key_file, public_host_key
     FROM remote_builders WHERE enabled ORDER BY name`,
  );
}

export async function listRemoteBuilders(
  db: Queryable,
  request: PageRequest,
): Promise<Page<RemoteBuilderRow>> {
  const items = await queryRows(
    db,
    remoteBuilderRow,
    `SELECT ${COLUMNS} FROM remote_builders ORDER BY name LIMIT $1 OFFSET $2`,
    [request.limit, request.offset],
  );
  const { n } = await queryOne(db, countRow, 'SELECT count(*)::int AS n FROM remote_builders');
  return page(items, n, request);
}

export async function deleteRemoteBuilder(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM remote_builders WHERE id = $1', [id])) === 1;
}
