// Webhook deliveries remembered for a day (migration 0852): a replay is known by any of its keys.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows } from '../sql';

export const WEBHOOK_DELIVERY_MEMORY = '1 day';

/**
 * Remembers a delivery by its keys. Returns undefined when none of them was seen in the last day,
 * else when the earliest was (and then remembers nothing: the caller rolls back the transaction).
 */
export async function rememberWebhookDelivery(
  db: Queryable,
  keys: readonly string[],
): Promise<Date | undefined> {
  await execute(
    db,
    `DELETE FROM webhook_deliveries WHERE received_at < now() - interval '${WEBHOOK_DELIVERY_MEMORY}'`,
  );
  const inserted = await queryRows(
    db,
    z.object({ key: z.string() }),
    `INSERT INTO webhook_deliveries (key) SELECT unnest($1::text[]) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [keys],
  );
  if (inserted.length === keys.length) return undefined;
  const seen = await queryMaybeOne(
    db,
    z.object({ receivedAt: z.date().nullable() }),
    `SELECT min(received_at) AS received_at FROM webhook_deliveries
     WHERE key = ANY($1::text[]) AND NOT (key = ANY($2::text[]))`,
    [keys, inserted.map((r) => r.key)],
  );
  return seen?.receivedAt ?? new Date();
}
