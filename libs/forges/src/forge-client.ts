// FC's client of GitHub's and Gitea's/Forgejo's REST APIs: a repository's open pull requests (every
// page, following the Link header) and a user's permission on it. Each request has a deadline; a
// failure is a ForgeApiError whose message names the request, never the token.
import { forgeToken, type ForgeRepository } from './forge-accounts';
import { ForgeApiError, loggableUrl } from './forge-api-error';
import type { ForgePermission } from './forge-permission';
import { nextPageUrl } from './link-header';

export interface ForgeClientOptions {
  /** One request's deadline. */
  readonly timeoutMs: number;
  /** Sent as User-Agent (GitHub refuses requests without one). */
  readonly userAgent: string;
  /** A list longer than this many pages is refused (a forge that links pages in a circle). */
  readonly maxPages?: number;
}

export interface ForgeClient {
  /** The repository's open pull requests, as the forge's JSON objects (every page). */
  openPullRequests(repository: ForgeRepository): Promise<unknown[]>;
  /** The API URL of the first page of the repository's open pull requests. */
  openPullRequestsUrl(repository: ForgeRepository): string;
  /** `login`'s permission on the repository; `none` when the forge knows no such collaborator. */
  permission(repository: ForgeRepository, login: string): Promise<ForgePermission>;
}

const GITHUB_PAGE_SIZE = 100;
// Gitea's default MAX_RESPONSE_ITEMS.
const GITEA_PAGE_SIZE = 50;

/** The request headers for one repository: its owner's token, or none (forgeToken). */
function headers(r: ForgeRepository, userAgent: string): Record<string, string> {
  const token = forgeToken(r);
  if (r.account.kind === 'github') {
    return {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': userAgent,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }
  return {
    accept: 'application/json',
    'user-agent': userAgent,
    ...(token ? { authorization: `token ${token}` } : {}),
  };
}

function repositoryPath(r: ForgeRepository): string {
  return `${r.account.apiUrl}/repos/${encodeURIComponent(r.owner)}/${encodeURIComponent(r.repo)}`;
}

/** Epoch seconds or a delay in seconds, from GitHub's and Gitea's rate-limit headers. */
function rateLimitWait(response: Response): string {
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return `until ${new Date(reset * 1000).toISOString()}`;
  const retryAfter = response.headers.get('retry-after');
  return retryAfter ? `for ${retryAfter} s` : 'for a while';
}

async function failure(r: ForgeRepository, url: string, response: Response): Promise<ForgeApiError> {
  const { account } = r;
  const body = (await response.text().catch(() => '')).slice(0, 300).trim();
  const what = `GET ${loggableUrl(url)} answered ${response.status}`;
  const detail = body ? `: ${body}` : '';
  const status = response.status;
  if (status === 429 || (status === 403 && response.headers.get('x-ratelimit-remaining') === '0')) {
    return new ForgeApiError('rate-limited', `${what}: rate limited ${rateLimitWait(response)}`, status);
  }
  if (status === 401) {
    const token = forgeToken(r)
      ? `the ${account.kind} token of ${r.owner} was refused`
      : `no ${account.kind} token is configured for ${r.owner}`;
    return new ForgeApiError('unauthorized', `${what} (${token})${detail}`, status);
  }
  if (status === 404) {
    return new ForgeApiError(
      'not-found',
      forgeToken(r)
        ? `${what}: no such repository, or the ${account.kind} token of ${r.owner} cannot see it${detail}`
        : `${what}: no such repository, or it is private and no ${account.kind} token is configured for ${r.owner}${detail}`,
      status,
    );
  }
  return new ForgeApiError('http', `${what}${detail}`, status);
}

export function createForgeClient(o: ForgeClientOptions): ForgeClient {
  const maxPages = o.maxPages ?? 100;

  async function get(r: ForgeRepository, url: string): Promise<Response> {
    try {
      return await fetch(url, {
        headers: headers(r, o.userAgent),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new ForgeApiError(
          'timeout',
          `GET ${loggableUrl(url)}: no answer within ${o.timeoutMs / 1000} s`,
        );
      }
      const reason = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new ForgeApiError('unreachable', `GET ${loggableUrl(url)}: ${reason}`);
    }
  }

  async function json(url: string, response: Response): Promise<unknown> {
    try {
      const body: unknown = await response.json();
      return body;
    } catch (e) {
      const err = e as Error;
      const what =
        err.name === 'TimeoutError' ? `no whole answer within ${o.timeoutMs / 1000} s` : 'not JSON';
      throw new ForgeApiError(
        err.name === 'TimeoutError' ? 'timeout' : 'bad-answer',
        `GET ${loggableUrl(url)}: ${what}`,
      );
    }
  }

  function openPullRequestsUrl(r: ForgeRepository): string {
    return r.account.kind === 'github'
      ? `${repositoryPath(r)}/pulls?state=open&per_page=${GITHUB_PAGE_SIZE}`
      : `${repositoryPath(r)}/pulls?state=open&page=1&limit=${GITEA_PAGE_SIZE}`;
  }

  return {
    openPullRequestsUrl,

    async openPullRequests(r) {
      const { account } = r;
      const origin = new URL(account.apiUrl).origin;
      const pulls: unknown[] = [];
      let url: string | undefined = openPullRequestsUrl(r);
      for (let page = 1; url !== undefined; page++) {
        if (page > maxPages) {
          throw new ForgeApiError(
            'bad-answer',
            `${loggableUrl(url)}: more than ${maxPages} pages of pull requests`,
          );
        }
        const response = await get(r, url);
        if (!response.ok) throw await failure(r, url, response);
        const items = await json(url, response);
        if (!Array.isArray(items)) {
          throw new ForgeApiError(
            'bad-answer',
            `GET ${loggableUrl(url)}: the answer is not a list of pull requests`,
          );
        }
        pulls.push(...(items as unknown[]));
        let next = nextPageUrl(response.headers.get('link'));
        // A Gitea without Link headers: the next page while this one was full.
        if (next === undefined && !response.headers.has('link') && account.kind === 'gitea') {
          if (items.length >= GITEA_PAGE_SIZE) {
            const u: URL = new URL(url);
            u.searchParams.set('page', String(page + 1));
            next = u.toString();
          }
        }
        // The token goes only to the API's own origin.
        if (next !== undefined && new URL(next, url).origin !== origin) {
          throw new ForgeApiError('bad-answer', `GET ${loggableUrl(url)}: its next page is on another host`);
        }
        url = next === undefined ? undefined : new URL(next, url).toString();
      }
      return pulls;
    },

    async permission(r, login) {
      const url = `${repositoryPath(r)}/collaborators/${encodeURIComponent(login)}/permission`;
      const response = await get(r, url);
      // GitHub: not a user; Gitea: not a collaborator.
      if (response.status === 404) return { permission: 'none', roleName: null };
      if (!response.ok) throw await failure(r, url, response);
      const body = (await json(url, response)) as { permission?: unknown; role_name?: unknown };
      if (typeof body?.permission !== 'string') {
        throw new ForgeApiError('bad-answer', `GET ${loggableUrl(url)}: the answer has no permission`);
      }
      return {
        permission: body.permission,
        roleName: typeof body.role_name === 'string' && body.role_name !== '' ? body.role_name : null,
      };
    },
  };
}
