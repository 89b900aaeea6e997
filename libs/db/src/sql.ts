// Row parsing for the named query functions: snake_case columns become camelCase keys,
// then a zod schema gives the row its type.
import { z } from 'zod';
import type { Queryable } from './pool';

/** Column names seen so far and their camelCase (few distinct names; every row of every list uses them). */
const camelNames = new Map<string, string>();

function camel(key: string): string {
  let name = camelNames.get(key);
  if (name === undefined) {
    name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelNames.size < 10_000) camelNames.set(key, name);
  }
  return name;
}

export function camelizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // for...in, not Object.entries: no array per column of every row (pg's rows are plain objects).
  for (const k in row) out[camel(k)] = row[k];
  return out;
}

// Row schemas shared by many queries. A zod schema compiles its parser on first use, so a schema
// built inside a query function costs that compilation on every call (~50 µs for one field,
// ~0.5 ms for a build's columns): schemas are module constants.
export const idRow = z.object({ id: z.number() });
export const countRow = z.object({ n: z.number() });

export async function queryRows<S extends z.ZodType>(
  db: Queryable,
  schema: S,
  text: string,
  values: readonly unknown[] = [],
): Promise<z.output<S>[]> {
  const result = await db.query(text, values);
  return result.rows.map((row) => schema.parse(camelizeRow(row)));
}

export async function queryMaybeOne<S extends z.ZodType>(
  db: Queryable,
  schema: S,
  text: string,
  values: readonly unknown[] = [],
): Promise<z.output<S> | undefined> {
  const rows = await queryRows(db, schema, text, values);
  if (rows.length > 1) throw new Error(`expected at most one row, got ${rows.length}`);
  return rows[0];
}

export async function queryOne<S extends z.ZodType>(
  db: Queryable,
  schema: S,
  text: string,
  values: readonly unknown[] = [],
): Promise<z.output<S>> {
  const row = await queryMaybeOne(db, schema, text, values);
  if (row === undefined) throw new Error('expected one row, got none');
  return row;
}

export async function execute(db: Queryable, text: string, values: readonly unknown[] = []): Promise<number> {
  const result = await db.query(text, values);
  return result.rowCount ?? 0;
}

/**
 * The SET list of a partial update: one `column = $n` per field of `changes` that is not undefined,
 * plus `updated_at = now()`. `values` holds the statement's earlier parameters and receives these.
 */
export function updateSetList(
  changes: object,
  columns: Readonly<Record<string, string>>,
  values: unknown[],
): string {
  const sets: string[] = [];
  for (const [key, column] of Object.entries(columns)) {
    const value = (changes as Record<string, unknown>)[key];
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  }
  sets.push('updated_at = now()');
  return sets.join(', ');
}
