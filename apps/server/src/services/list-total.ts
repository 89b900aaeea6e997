// The total of a long list (builds, evaluations) without counting a million rows: a page that ends
// the list tells its total itself; otherwise the matches counted up to a cap (with the page, by the
// same statement, when it had rows), and past the cap the planner's estimate (marked inexact).
import type { CappedCount, CursorPageRequest } from '@fc/db';

export interface TotalSources {
  /** The matches counted up to `cap` with the page, if they were. */
  readonly counted: CappedCount | undefined;
  /** Counts the matches, stopping past `cap`. */
  countUpTo(cap: number): Promise<CappedCount>;
  /** The planner's estimate of the matches. */
  estimate(): Promise<number>;
  readonly cap: number;
}

/** The total a page implies by itself: when it is the list's last (and not past its end), else undefined. */
export function totalOfLastPage(
  request: CursorPageRequest,
  shown: number,
  more: boolean,
): number | undefined {
  if (request.cursor !== undefined || more) return undefined;
  if (shown === 0 && request.offset > 0) return undefined;
  return request.offset + shown;
}

/** A total past the cap: the estimate, but never less than what the pages show exists. */
export function estimatedTotal(
  cap: number,
  request: CursorPageRequest,
  shown: number,
  more: boolean,
  estimate: number,
): number {
  return Math.max(cap + 1, request.offset + shown + (more ? 1 : 0), Math.round(estimate));
}

export async function listTotal(
  request: CursorPageRequest,
  shown: number,
  more: boolean,
  sources: TotalSources,
): Promise<{ total: number; exact: boolean }> {
  const own = totalOfLastPage(request, shown, more);
  if (own !== undefined) return { total: own, exact: true };
  const counted = sources.counted ?? (await sources.countUpTo(sources.cap));
  if (!counted.capped) return { total: counted.count, exact: true };
  return { total: estimatedTotal(sources.cap, request, shown, more, await sources.estimate()), exact: false };
}
