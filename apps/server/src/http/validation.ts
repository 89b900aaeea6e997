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

import { unstorableValues, type Problem } from '../services/storable-values';

export { PG_INTEGER_MAX, PG_INTEGER_MIN, unstorableValues } from '../services/storable-values';

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
