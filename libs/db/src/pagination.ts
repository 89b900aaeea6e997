// Pagination shared by every list query: the caller's limit/offset and the matching total; the
// lists that grow with the installation (builds, evaluations) also page by cursor (keyset).

export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

/** A page of a keyset-paged list: the items after `cursor` (the id the previous page ended with). */
export interface CursorPageRequest extends PageRequest {
  readonly cursor?: number | undefined;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  /** False when `total` is an estimate (very large result sets; see the builds list). */
  readonly totalExact: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface CursorPage<T> extends Page<T> {
  /** The cursor of the next page, or null when this page is the last. */
  readonly nextCursor: number | null;
}

export function page<T>(items: T[], total: number, request: PageRequest, totalExact = true): Page<T> {
  return { items, total, totalExact, limit: request.limit, offset: request.offset };
}

/** A WHERE clause assembled from optional conditions; `add` returns the parameter's placeholder. */
/** A count taken up to a cap: exact, or `capped` at `cap` when more matched. */
export interface CappedCount {
  readonly count: number;
  readonly capped: boolean;
}

/** `matching` rows counted with `LIMIT cap + 1`, as a CappedCount. */
export function cappedCount(matching: number, cap: number): CappedCount {
  return matching > cap ? { count: cap, capped: true } : { count: matching, capped: false };
}

export class WhereBuilder {
  readonly values: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  add(condition: string): void {
    this.conditions.push(condition);
  }

  get sql(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
