import type { EmbeddedPostgresHandle } from '@fc/db';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __fcEmbeddedPostgres?: EmbeddedPostgresHandle }).__fcEmbeddedPostgres;
  if (embedded) await embedded.stop();
}
