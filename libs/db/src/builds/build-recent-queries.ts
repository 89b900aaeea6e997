// The home page's recent figures: builds finished in the last hours, by outcome (the partial index
// on stopped_at of finished builds bounds it to the window).
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryOne } from '../sql';

const outcomeCountsRow = z.object({ succeeded: z.number(), failed: z.number() });

export async function buildsFinishedSince(
  db: Queryable,
  hours: number,
): Promise<{ succeeded: number; failed: number }> {
  return queryOne(
    db,
    outcomeCountsRow,
    `SELECT (count(*) FILTER (WHERE build_status = ${BuildStatus.Succeeded}))::int AS succeeded,
       (count(*) FILTER (WHERE build_status <> ${BuildStatus.Succeeded}))::int AS failed
     FROM builds WHERE finished AND stopped_at > now() - make_interval(hours => $1)`,
    [hours],
  );
}
