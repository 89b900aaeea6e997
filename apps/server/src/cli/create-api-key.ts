// `fc-server create-api-key --name N --role R`: bootstraps an API key; prints it once, on stdout.
import { parseArgs } from 'node:util';
import { ROLE_PATTERN } from '@fc/auth';
import type { Pool } from '@fc/db';
import { ApiKeyService } from '../services/api-key.service';

export const CREATE_API_KEY_USAGE = 'usage: fc-server create-api-key --name <name> --role <role>';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${CREATE_API_KEY_USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseCreateApiKeyArgs(args: readonly string[]): { name: string; role: string } {
  let values: { name?: string | undefined; role?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { name: { type: 'string' }, role: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.name || values.name.length > 128) throw new UsageError('--name must be 1-128 characters');
  if (!values.role || !ROLE_PATTERN.test(values.role)) {
    throw new UsageError('--role must be 1-64 letters, digits, ".", "_" or "-" (e.g. admin, read-only)');
  }
  return { name: values.name, role: values.role };
}

/** Creates the key and returns the line to print. */
export async function createApiKeyCommand(pool: Pool, args: { name: string; role: string }): Promise<string> {
  const { key, row } = await new ApiKeyService(pool, undefined).create(args.name, args.role, null);
  return `${key}\n# API key ${row.id} "${row.name}" with role ${row.role}: store it now, it is not shown again.`;
}
