// A local forge for specs: one HTTP server that plays GitHub's (Enterprise-style, under /api/v3) or
// Gitea's (under /api/v1) REST API as FC uses it (a repository's pull requests, a collaborator's
// permission, commit statuses, which it records), and hosts its repositories over git's smart HTTP
// protocol with the real `git http-backend`, so FC fetches pull request heads the way it fetches them
// from the real forges. A pull request's head is also kept at refs/pull/<number>/head in the base
// repository, as both forges do. A renamed repository's old name redirects, as on both forges. The
// webhooks such a forge sends are built by forge-webhook-payloads.ts and forge-webhook-delivery.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveGitHttp } from './git-http-backend';

export type FakeForgeKind = 'github' | 'gitea';

/** How a repository's API answers instead of its data. */
export type FakeForgeFailure = 'unauthorized' | 'not-found' | 'rate-limited' | 'server-error' | 'hang';

export interface FakePullRequestInput {
  readonly number: number;
  readonly author: string;
  /** `owner/repo` of the head repository on this forge (the base for a branch of its own). */
  readonly headRepository: string;
  readonly headBranch: string;
  readonly headSha: string;
  readonly title?: string;
}

/** A commit status FC posted (POST /repos/{owner}/{repo}/statuses/{sha}). */
export interface PostedStatus {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly authorization: string | undefined;
  readonly state: string;
  readonly context: string;
  readonly description: string;
  readonly target_url?: string;
}

export interface FakeForgeRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly userAgent: string | undefined;
}

export interface FakeForge {
  readonly kind: FakeForgeKind;
  /** `http://host:port` */
  readonly url: string;
  /** GitHub: `<url>/api/v3` (github_api_url); Gitea: `<url>` (gitea_url). */
  readonly configUrl: string;
  /** Every request, in order. */
  readonly requests: FakeForgeRequest[];
  /** Every commit status posted, in order (to any repository: statuses need none hosted here). */
  readonly statuses: PostedStatus[];
  /** A new repository `owner/repo` with one commit of `files` on `main`; its working directory. */
  createRepository(fullName: string, files: Readonly<Record<string, string>>): string;
  /** A repository cloned from another (a fork); its working directory. */
  forkRepository(from: string, fullName: string): string;
  /** A commit on the branch of the repository changing `files`; its sha. */
  commit(fullName: string, branch: string, files: Readonly<Record<string, string>>): string;
  cloneUrl(fullName: string): string;
  /** Opens (or moves the head of) a pull request of `base`, without any webhook. */
  openPullRequest(base: string, pr: FakePullRequestInput): void;
  closePullRequest(base: string, number: number): void;
  /** The repository's old name `from` now redirects to `to` (301 for GET, 307 else), API and git. */
  renameRepository(from: string, to: string): void;
  /** What the permission API answers for `login` on `repository`; unset: 404 (not a collaborator). */
  setPermission(repository: string, login: string, permission: string): void;
  failRepository(repository: string, failure: FakeForgeFailure | undefined): void;
  close(): Promise<void>;
}

const GIT = ['-c', 'user.name=Fake Forge', '-c', 'user.email=forge@example.invalid'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...GIT, '-C', dir, ...args], { encoding: 'utf8' }).trim();
}

interface StoredPull {
  readonly input: FakePullRequestInput;
  state: 'open' | 'closed';
  readonly createdAt: string;
  updatedAt: string;
}

export async function startFakeForge(options: {
  readonly kind: FakeForgeKind;
  /** Requests must carry it (GitHub: `Bearer <token>`, Gitea: `token <token>`); else 401. */
  readonly token: string;
  /** Owners whose repositories take their own token instead of `token` (owner -> token). */
  readonly ownerTokens?: Readonly<Record<string, string>>;
  /**
   * Owners whose repositories are public: read without a token (a wrong token is still refused, as
   * GitHub does); a request without one to any other owner's repository is answered 404, as a private
   * repository is.
   */
  readonly publicOwners?: readonly string[];
  /** Pull requests per page at most (the real forges cap per_page/limit too). */
  readonly pageSize?: number;
  readonly host?: string;
}): Promise<FakeForge> {
  const root = mkdtempSync(join(tmpdir(), `fc-fake-${options.kind}-`));
  const pageSize = options.pageSize ?? 30;
  const apiBase = options.kind === 'github' ? '/api/v3' : '/api/v1';
  const authorizationOf = (token: string) =>
    options.kind === 'github' ? `Bearer ${token}` : `token ${token}`;
  /** The Authorization header an owner's repositories take. */
  const expectedAuthorization = (owner: string) => {
    const own = Object.entries(options.ownerTokens ?? {}).find(
      ([o]) => o.toLowerCase() === owner.toLowerCase(),
    )?.[1];
    return authorizationOf(own ?? options.token);
  };
  const isPublic = (owner: string) =>
    (options.publicOwners ?? []).some((o) => o.toLowerCase() === owner.toLowerCase());
  const pulls = new Map<string, Map<number, StoredPull>>();
  const permissions = new Map<string, Map<string, string>>();
  const failures = new Map<string, FakeForgeFailure>();
  const requests: FakeForgeRequest[] = [];
  const statuses: PostedStatus[] = [];
  /** Old name -> current name of renamed repositories. */
  const renamed = new Map<string, string>();
  let url = '';

  const repoDir = (fullName: string) => join(root, `${fullName}.git`);
  const cloneUrl = (fullName: string) => `${url}/${fullName}.git`;
  const repoJson = (fullName: string) => {
    const [owner, name] = fullName.split('/') as [string, string];
    return {
      id: fullName.length,
      name,
      full_name: fullName,
      owner: { login: owner },
      private: false,
      html_url: `${url}/${fullName}`,
      clone_url: cloneUrl(fullName),
      default_branch: 'main',
    };
  };
  const pullJson = (base: string, p: StoredPull) => {
    const pr = p.input;
    return {
      id: 1000 + pr.number,
      number: pr.number,
      state: p.state,
      title: pr.title ?? `change #${pr.number}`,
      body: '',
      user: { login: pr.author, id: pr.author.length },
      html_url: `${url}/${base}/pull/${pr.number}`,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      merged_at: null,
      draft: false,
      ...(options.kind === 'gitea' ? { merged: false, mergeable: true } : {}),
      head: {
        label: `${pr.headRepository.split('/')[0]}:${pr.headBranch}`,
        ref: pr.headBranch,
        sha: pr.headSha,
        repo: repoJson(pr.headRepository),
      },
      base: { label: `${base.split('/')[0]}:main`, ref: 'main', repo: repoJson(base) },
    };
  };

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function redirect(res: ServerResponse, method: string, to: string): void {
    res.writeHead(method === 'GET' || method === 'HEAD' ? 301 : 307, { location: to });
    res.end();
  }

  /** The REST API; `body` is the request's, read whole. */
  function api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    body: string,
  ): void {
    const m =
      /^\/repos\/([^/]+)\/([^/]+)\/(pulls|collaborators\/([^/]+)\/permission|statuses\/([0-9a-f]{40}))$/.exec(
        path,
      );
    if (!m) return send(res, 404, { message: 'Not Found' });
    const [owner, repo] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const authorization = req.headers.authorization;
    if (authorization === undefined && isPublic(owner) && req.method === 'GET') {
      // A public repository, read anonymously.
    } else if (authorization === undefined && (options.ownerTokens || options.publicOwners)) {
      return send(res, 404, { message: 'Not Found' });
    } else if (authorization !== expectedAuthorization(owner)) {
      return send(res, 401, { message: 'Bad credentials' });
    }
    const fullName = `${owner}/${repo}`;
    const current = renamed.get(fullName);
    if (current !== undefined) {
      const rest = path.slice(`/repos/${m[1]}/${m[2]}`.length);
      const search = query.size > 0 ? `?${query.toString()}` : '';
      return redirect(res, req.method ?? 'GET', `${url}${apiBase}/repos/${current}${rest}${search}`);
    }
    const failure = failures.get(fullName);
    if (failure === 'hang') return; // never answered; close() drops the connection
    if (failure === 'unauthorized') return send(res, 401, { message: 'Bad credentials' });
    if (failure === 'not-found') return send(res, 404, { message: 'Not Found' });
    if (failure === 'server-error') return send(res, 502, { message: 'Server Error' });
    if (failure === 'rate-limited') {
      const reset = String(Math.floor(Date.now() / 1000) + 600);
      return send(
        res,
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      );
    }
    if (m[5] !== undefined) {
      if (req.method !== 'POST') return send(res, 405, { message: 'Method Not Allowed' });
      const status = JSON.parse(body) as Pick<
        PostedStatus,
        'state' | 'context' | 'description' | 'target_url'
      >;
      statuses.push({ owner, repo, sha: m[5], authorization: req.headers.authorization, ...status });
      return send(res, 201, { id: statuses.length, ...status });
    }
    if (m[4] !== undefined) {
      const login = decodeURIComponent(m[4]);
      const permission = permissions.get(fullName)?.get(login.toLowerCase());
      if (permission === undefined) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { permission, role_name: permission, user: { login } });
    }
    if (!pulls.has(fullName)) return send(res, 404, { message: 'Not Found' });
    const state = query.get('state') ?? 'open';
    const open = [...pulls.get(fullName)!.values()]
      .filter((p) => state === 'all' || p.state === state)
      .sort((a, b) => b.input.number - a.input.number);
    const asked = Number(query.get(options.kind === 'github' ? 'per_page' : 'limit') ?? pageSize);
    const size = Math.min(pageSize, asked > 0 ? asked : pageSize);
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(open.length / size));
    const pageUrl = (n: number) => {
      const u = new URL(`${url}${apiBase}${path}`);
      for (const [k, v] of query) u.searchParams.set(k, v);
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>`;
    };
    const links: string[] = [];
    if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
    if (page > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(page - 1)}; rel="prev"`);
    const items = open.slice((page - 1) * size, page * size).map((p) => pullJson(fullName, p));
    send(res, 200, items, {
      ...(links.length > 0 ? { link: links.join(', ') } : {}),
      ...(options.kind === 'gitea' ? { 'x-total-count': String(open.length) } : {}),
    });
  }

  const server: Server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    requests.push({
      method: req.method ?? 'GET',
      path: `${parsed.pathname}${parsed.search}`,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    });
    if (parsed.pathname.startsWith(`${apiBase}/`)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        api(req, res, parsed.pathname.slice(apiBase.length), parsed.searchParams, body);
      });
      return;
    }
    const gitPath = /^\/([^/]+\/[^/]+)\.git(\/.*)$/.exec(parsed.pathname);
    if (gitPath) {
      const current = renamed.get(gitPath[1]!);
      if (current !== undefined) {
        return redirect(res, req.method ?? 'GET', `${url}/${current}.git${gitPath[2]}${parsed.search}`);
      }
      return serveGitHttp(root, req, res, parsed.pathname, parsed.search.replace(/^\?/, ''));
    }
    send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  function writeFiles(dir: string, files: Readonly<Record<string, string>>) {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  }

  return {
    kind: options.kind,
    url,
    configUrl: options.kind === 'github' ? `${url}/api/v3` : url,
    requests,
    statuses,
    cloneUrl,
    createRepository(fullName, files) {
      const dir = repoDir(fullName);
      mkdirSync(dir, { recursive: true });
      execFileSync('git', [...GIT, 'init', '-q', '-b', 'main', dir]);
      writeFiles(dir, files);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'initial');
      pulls.set(fullName, new Map());
      return dir;
    },
    forkRepository(from, fullName) {
      const dir = repoDir(fullName);
      mkdirSync(join(dir, '..'), { recursive: true });
      execFileSync('git', [...GIT, 'clone', '-q', repoDir(from), dir]);
      pulls.set(fullName, new Map());
      return dir;
    },
    commit(fullName, branch, files) {
      const dir = repoDir(fullName);
      git(dir, 'checkout', '-q', '-B', branch);
      writeFiles(dir, files);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', `change on ${branch}`);
      const sha = git(dir, 'rev-parse', 'HEAD');
      git(dir, 'checkout', '-q', 'main');
      return sha;
    },
    openPullRequest(base, pr) {
      const baseDir = repoDir(base);
      if (pr.headRepository !== base) git(baseDir, 'fetch', '-q', repoDir(pr.headRepository), pr.headSha);
      git(baseDir, 'update-ref', `refs/pull/${pr.number}/head`, pr.headSha);
      const now = new Date().toISOString();
      const before = pulls.get(base)!.get(pr.number);
      pulls.get(base)!.set(pr.number, {
        input: pr,
        state: 'open',
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      });
    },
    closePullRequest(base, number) {
      const p = pulls.get(base)!.get(number);
      if (!p) throw new Error(`${base} has no pull request #${number}`);
      p.state = 'closed';
      p.updatedAt = new Date().toISOString();
    },
    renameRepository(from, to) {
      renamed.set(from, to);
    },
    setPermission(repository, login, permission) {
      if (!permissions.has(repository)) permissions.set(repository, new Map());
      permissions.get(repository)!.set(login.toLowerCase(), permission);
    },
    failRepository(repository, failure) {
      if (failure === undefined) failures.delete(repository);
      else failures.set(repository, failure);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
