// What globalSetup hands to test files, through environment variables the workers inherit.
export const ENV_ADMIN_URL = 'FC_TEST_ADMIN_URL';
export const ENV_TEMPLATE_DB = 'FC_TEST_TEMPLATE_DB';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: integration specs run through the "integration" jest project, whose globalSetup ` +
        'prepares PostgreSQL (run `npm test`, or `npm run test:int`).',
    );
  }
  return value;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
