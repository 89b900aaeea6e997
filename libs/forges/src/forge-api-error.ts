// A forge API request that failed, by kind, with a message that names the request but never a token.

export type ForgeErrorKind =
  /** 401: no token, or the forge refused it. */
  | 'unauthorized'
  /** 404: no such repository (or the token cannot see it). */
  | 'not-found'
  /** GitHub's 403 with no requests left, or 429. */
  | 'rate-limited'
  | 'timeout'
  /** DNS, connection refused or reset. */
  | 'unreachable'
  /** Any other answer that is not 2xx. */
  | 'http'
  /** A 2xx answer that is not what the API documents. */
  | 'bad-answer';

export class ForgeApiError extends Error {
  constructor(
    readonly kind: ForgeErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ForgeApiError';
  }
}

/** The URL as it may be logged: no credentials (a token in the query is not FC's way, but hide it). */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}
