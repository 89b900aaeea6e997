// Request input parsing: a zod failure becomes one ValidationError naming every bad field. Every
// route's input also passes one check of what PostgreSQL cannot store (NUL characters, integers past
// its integer columns), so such input is a 400 naming the field, never a database error's 500.
import { ValidationError } from '@fc/core';
import type { z } from 'zod';

export type InputLocation = 'path' | 'query' | 'body';

export interface FieldProblem {
  readonly field: string;
  readonly in: InputLocation;
  readonly message: string;
}

/** PostgreSQL's `integer`: the narrowest integer column any input reaches. */
export const PG_INTEGER_MIN = -2_147_483_648;
export const PG_INTEGER_MAX = 2_147_483_647;

interface Problem {
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

function invalid(problems: readonly Problem[], location: InputLocation): ValidationError {
  const fields: FieldProblem[] = problems.map((p) => ({
    field: p.path.length ? p.path.map(String).join('.') : '(root)',
    in: location,
    message: p.message,
  }));
  const summary = fields
    .map((f) => `${f.in === 'body' ? '' : `${f.in} `}${f.field}: ${f.message}`)
    .join('; ');
  return new ValidationError(`invalid request: ${summary}`, { fields });
}

export function parseInput(schema: z.ZodType | undefined, value: unknown, location: InputLocation): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalid(
      result.error.issues.flatMap((issue) =>
        // An unknown key is reported under its own name.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => ({ path: [...issue.path, k], message: 'is not a known field' }))
          : [{ path: issue.path, message: issue.message }],
      ),
      location,
    );
  }
  const unstorable = unstorableValues(result.data);
  if (unstorable.length > 0) throw invalid(unstorable, location);
  return result.data;
}
