// Whether a build's project and jobset both opted in to Hydra's dynamic RunCommand.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne } from '../sql';

export async function dynamicRunCommandEnabled(db: Queryable, buildId: number): Promise<boolean> {
  const row = await queryMaybeOne(
    db,
    z.object({ enabled: z.boolean() }),
    `SELECT p.enable_dynamic_run_command AND j.enable_dynamic_run_command AS enabled
     FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
     WHERE b.id = $1`,
    [buildId],
  );
  return row?.enabled ?? false;
}
