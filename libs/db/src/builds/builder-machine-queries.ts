// The enabled remote builders, as the queue runner hands them to Nix.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

export const enabledBuilderRow = z.object({
  name: z.string(),
  uri: z.string(),
  systems: z.array(z.string()),
  maxJobs: z.number(),
  speedFactor: z.number(),
  supportedFeatures: z.array(z.string()),
  mandatoryFeatures: z.array(z.string()),
  sshKeyFile: z.string().nullable(),
  publicHostKey: z.string().nullable(),
});
export type EnabledBuilderRow = z.output<typeof enabledBuilderRow>;

export async function enabledRemoteBuilders(db: Queryable): Promise<EnabledBuilderRow[]> {
  return queryRows(
    db,
    enabledBuilderRow,
    `SELECT name, uri, systems, max_jobs, speed_factor, supported_features, mandatory_features,
            ssh_key_file, public_host_key
     FROM remote_builders WHERE enabled ORDER BY name`,
  );
}
