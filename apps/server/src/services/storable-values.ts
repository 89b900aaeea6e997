// What PostgreSQL cannot store, found in parsed input before any query: NUL characters in text and
// integers outside `integer`. The HTTP layer checks every route's input with it; services check the
// parts of other input they keep (a forge's webhook payload, whose other integers may be larger).
import { ValidationError } from '@fc/core';

/** PostgreSQL's `integer`: the narrowest integer column any input reaches. */
export const PG_INTEGER_MIN = -2_147_483_648;
export const PG_INTEGER_MAX = 2_147_483_647;

export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** What PostgreSQL would refuse in a parsed input: NUL in text, integers outside `integer`. */
export function unstorableValues(value: unknown, path: readonly PropertyKey[] = []): Problem[] {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? [{ path, message: 'must not contain NUL characters' }] : [];
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && (value < PG_INTEGER_MIN || value > PG_INTEGER_MAX)
      ? [{ path, message: `must be between ${PG_INTEGER_MIN} and ${PG_INTEGER_MAX}` }]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableValues(v, [...path, i]));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes('\u0000') ? [{ path: [...path, k], message: 'must not contain NUL characters' }] : []),
      ...unstorableValues(v, [...path, k]),
    ]);
  }
  return [];
}

/** Throws a ValidationError naming every body field of `value` PostgreSQL cannot store. */
export function refuseUnstorable(value: unknown, what: string): void {
  const problems = unstorableValues(value);
  if (problems.length === 0) return;
  const fields = problems.map((p) => ({
    field: p.path.map(String).join('.'),
    in: 'body' as const,
    message: p.message,
  }));
  throw new ValidationError(`${what}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, {
    fields,
  });
}
