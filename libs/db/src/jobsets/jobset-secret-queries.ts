// What is secret for one jobset, for redacting what its expressions and builds print (@fc/core
// secret-redaction.ts): the values of its inputs marked secret, and every text that may hold a URL
// with credentials (the project's and the jobset's repository, the declarative spec's input, the
// other inputs' values).
import { z } from 'zod';
import type { SecretSources } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne } from '../sql';

const secretSourcesRow = z.object({
  secretValues: z.array(z.string()),
  urls: z.array(z.string()),
});

/** The jobset's secret sources; none for a jobset that no longer exists. */
export async function jobsetSecretSources(db: Queryable, jobsetId: number): Promise<SecretSources> {
  const row = await queryMaybeOne(
    db,
    secretSourcesRow,
    `SELECT
       ARRAY(SELECT i.value FROM jobset_inputs i WHERE i.jobset_id = j.id AND i.secret) AS secret_values,
       ARRAY(SELECT u FROM unnest(ARRAY[p.repository_url, j.repository_url, p.declarative_value]) AS u
             WHERE u IS NOT NULL
             UNION ALL
             SELECT i.value FROM jobset_inputs i WHERE i.jobset_id = j.id AND NOT i.secret) AS urls
     FROM jobsets j JOIN projects p ON p.id = j.project_id WHERE j.id = $1`,
    [jobsetId],
  );
  return row ?? { secretValues: [], urls: [] };
}
