// Request input parsing: a zod failure becomes one ValidationError naming every bad field.
import { ValidationError } from '@fc/core';
import type { z } from 'zod';

export type InputLocation = 'path' | 'query' | 'body';

export interface FieldProblem {
  readonly field: string;
  readonly in: InputLocation;
  readonly message: string;
}

export function parseInput(schema: z.ZodType | undefined, value: unknown, location: InputLocation): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldProblem[] = result.error.issues.flatMap((issue) => {
    // An unknown key is reported under its own name.
    const keys =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return keys.map((path) => ({
      field: path.length ? path.map(String).join('.') : '(root)',
      in: location,
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
    }));
  });
  const summary = fields
    .map((f) => `${f.in === 'body' ? '' : `${f.in} `}${f.field}: ${f.message}`)
    .join('; ');
  throw new ValidationError(`invalid request: ${summary}`, { fields });
}
