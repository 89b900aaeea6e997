// One JSON POST with a deadline, and what its answer means for retrying: 2xx delivered; 5xx, 408,
// 429, a timeout or a connection error may pass later; any other answer (4xx, a redirect) is final.
import type { AttemptResult } from './attempt-result';

/** The answer's first bytes kept in the error. */
const ERROR_BODY_CHARS = 500;

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export async function postJson(
  url: string,
  body: unknown,
  options: { readonly headers?: Readonly<Record<string, string>>; readonly timeoutMs: number },
): Promise<AttemptResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'fc-queue-runner', ...options.headers },
      body: JSON.stringify(body),
      // A redirect would turn the POST into a GET: report it instead of following it.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    const reason = timedOut
      ? `no answer within ${options.timeoutMs / 1000} s`
      : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { ok: false, retryable: true, error: `POST ${redactUrl(url)}: ${reason}` };
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 200 && response.status < 300) return { ok: true, httpStatus: response.status };
  return {
    ok: false,
    retryable: isRetryableStatus(response.status),
    httpStatus: response.status,
    error: `POST ${redactUrl(url)} answered ${response.status}${text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : ''}`,
  };
}

/** The URL without credentials or query (either may hold a token). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}
