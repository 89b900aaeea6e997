// jest globalSetup of the integration project: find PostgreSQL, check Nix, migrate the template.
import { findTestPostgres } from './postgres-server';
import { ensureTemplateDatabase } from './template-database';
import { dropStaleTestDatabases } from './stale-databases';
import { ENV_ADMIN_URL, ENV_TEMPLATE_DB } from './test-env';
import { REPO_ROOT } from './paths';
import { assertNixAvailable } from './nix-check';

export default async function globalSetup(): Promise<void> {
  assertNixAvailable();
  const server = await findTestPostgres(REPO_ROOT, process.env);
  (globalThis as { __fcEmbeddedPostgres?: unknown }).__fcEmbeddedPostgres = server.embedded;
  process.env[ENV_ADMIN_URL] = server.adminUrl;
  const template = await ensureTemplateDatabase(server.adminUrl);
  process.env[ENV_TEMPLATE_DB] = template;
  await dropStaleTestDatabases(server.adminUrl, template);
}
