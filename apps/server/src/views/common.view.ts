// Shared pieces of the API's response shapes.
import { z } from 'zod';
import type { CursorPage, Page } from '@fc/db';

export const timestamp = z.string().meta({ format: 'date-time' });

export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export const errorView = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export function pageView<T extends z.ZodType>(item: T): z.ZodObject {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export function mapPage<R, V>(
  p: Page<R>,
  map: (row: R) => V,
): { items: V[]; total: number; limit: number; offset: number } {
  return { items: p.items.map(map), total: p.total, limit: p.limit, offset: p.offset };
}

/** ?limit= (default 50, at most 500) and ?offset= (default 0). */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** The deepest offset of the long lists (builds, evaluations): deeper pages go by cursor. */
export const MAX_LIST_OFFSET = 10_000;

/** ?limit=, ?offset= (at most MAX_LIST_OFFSET) and ?cursor= of the long lists. */
export const cursorPageQuery = pageQuery.extend({
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(
      MAX_LIST_OFFSET,
      `is at most ${MAX_LIST_OFFSET}: page further with cursor (the next_cursor of a page)`,
    )
    .default(0),
  cursor: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('The next_cursor of the previous page: this page starts after it (as fast at any depth)'),
});

/** A page of a long list: the total is exact up to `cap` matches, past it an estimate. */
export function cursorPageView<T extends z.ZodType>(item: T, cap: number): z.ZodObject {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    total_exact: z
      .boolean()
      .describe(
        `false when more than ${cap.toLocaleString('en')} match: total is then the planner's estimate`,
      ),
    limit: z.number().int(),
    offset: z.number().int(),
    next_cursor: z
      .number()
      .int()
      .nullable()
      .describe('Pass as cursor for the next page; null on the last page'),
  });
}

export function mapCursorPage<R, V>(
  p: CursorPage<R>,
  map: (row: R) => V,
): {
  items: V[];
  total: number;
  total_exact: boolean;
  limit: number;
  offset: number;
  next_cursor: number | null;
} {
  return {
    items: p.items.map(map),
    total: p.total,
    total_exact: p.totalExact,
    limit: p.limit,
    offset: p.offset,
    next_cursor: p.nextCursor,
  };
}
