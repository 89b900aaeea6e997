// Shared pieces of the API's response shapes.
import { z } from 'zod';
import type { Page } from '@fc/db';

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
