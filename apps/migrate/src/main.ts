// fc-migrate composition root.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@fc/config';
import { runMigrateCli } from './migrate-cli';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let configuredUrl: string | undefined;
  const needsDb = argv[0] !== undefined && ['up', 'validate', 'status'].includes(argv[0]) && argv.length < 2;
  if (needsDb) {
    try {
      configuredUrl = loadConfig({ env: process.env }).database.url;
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`fc-migrate: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  return runMigrateCli(argv, {
    migrationsDir,
    configuredUrl,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fc-migrate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
