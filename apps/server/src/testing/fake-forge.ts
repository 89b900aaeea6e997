// Spec helper: a local HTTP server playing GitHub's and Gitea's API for FC (commit statuses, a
// collaborator's permission), and the webhook deliveries those forges send, with the payloads'
// real structure (GitHub: docs.github.com "Webhook events and payloads", pull_request and
// issue_comment; Gitea/Forgejo: modules/structs PullRequestPayload and IssueCommentPayload), signed
// with the project's secret as each forge signs them.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ForgeKind = 'github' | 'gitea';

/** A commit status FC posted. */
export interface PostedStatus {
  readonly forge: ForgeKind;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly authorization: string | undefined;
  readonly state: string;
  readonly context: string;
  readonly description: string;
  readonly target_url?: string;
}

/** A pull request as the forge describes it in its payloads. */
export interface FakePullRequest {
  readonly number: number;
  readonly title?: string;
  readonly author: string;
  /** The base repository's "owner/name" on the forge. */
  readonly base: string;
  /** The base repository's clone URL (the project's repository_url). */
  readonly baseCloneUrl: string;
  readonly baseBranch?: string;
  /** The head repository's "owner/name" (a fork's, or the base's). */
  readonly head: string;
  readonly headCloneUrl: string;
  readonly branch: string;
  readonly sha: string;
}

export interface FakeForge {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** notifications.github_api_url */
  readonly githubApiUrl: string;
  /** notifications.gitea_url */
  readonly giteaUrl: string;
  readonly statuses: PostedStatus[];
  /** What the permission API answers for a login (default "none"), per forge. */
  readonly permissions: Map<string, string>;
  /** Every request FC made, as "METHOD path". */
  readonly requests: string[];
  close(): Promise<void>;
}

const STATUS_PATHS: Record<ForgeKind, RegExp> = {
  github: /^\/github\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/,
  gitea: /^\/gitea\/api\/v1\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/,
};
const PERMISSION_PATHS: Record<ForgeKind, RegExp> = {
  github: /^\/github\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
  gitea: /^\/gitea\/api\/v1\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
};

export async function startFakeForge(): Promise<FakeForge> {
  const statuses: PostedStatus[] = [];
  const requests: string[] = [];
  const permissions = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
      requests.push(`${req.method} ${path}`);
      for (const forge of ['github', 'gitea'] as const) {
        const status = STATUS_PATHS[forge].exec(path);
        if (status && req.method === 'POST') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<
            PostedStatus,
            'forge' | 'owner' | 'repo' | 'sha' | 'authorization'
          >;
          statuses.push({
            forge,
            owner: status[1]!,
            repo: status[2]!,
            sha: status[3]!,
            authorization: req.headers.authorization,
            ...body,
          });
          res
            .writeHead(201, { 'content-type': 'application/json' })
            .end(JSON.stringify({ id: statuses.length }));
          return;
        }
        const permission = PERMISSION_PATHS[forge].exec(path);
        if (permission && req.method === 'GET') {
          const login = permission[3]!;
          const level = permissions.get(`${forge}:${login.toLowerCase()}`) ?? 'none';
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ permission: level, role_name: level, user: { login } }));
          return;
        }
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    githubApiUrl: `${url}/github`,
    giteaUrl: `${url}/gitea`,
    statuses,
    permissions,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function githubUser(login: string) {
  return { login, id: login.length * 1000 + 1, node_id: `U_${login}`, type: 'User', site_admin: false };
}

function githubRepository(fullName: string, cloneUrl: string) {
  const [owner, name] = fullName.split('/') as [string, string];
  return {
    id: fullName.length * 7919,
    node_id: `R_${fullName}`,
    name,
    full_name: fullName,
    private: false,
    owner: githubUser(owner),
    html_url: `https://github.com/${fullName}`,
    fork: owner !== 'acme',
    url: `https://api.github.com/repos/${fullName}`,
    clone_url: cloneUrl,
    git_url: `git://github.com/${fullName}.git`,
    ssh_url: `git@github.com:${fullName}.git`,
    default_branch: 'main',
  };
}

function giteaUser(login: string) {
  return {
    id: login.length * 1000 + 1,
    login,
    login_name: '',
    full_name: '',
    email: `${login}@noreply.gitea.example.org`,
    avatar_url: '',
    username: login,
  };
}

function giteaRepository(fullName: string, cloneUrl: string) {
  const [owner, name] = fullName.split('/') as [string, string];
  return {
    id: fullName.length * 7919,
    owner: giteaUser(owner),
    name,
    full_name: fullName,
    description: '',
    empty: false,
    private: false,
    fork: owner !== 'acme',
    template: false,
    mirror: false,
    html_url: `https://gitea.example.org/${fullName}`,
    ssh_url: `git@gitea.example.org:${fullName}.git`,
    clone_url: cloneUrl,
    default_branch: 'main',
  };
}

/** The pull_request event's payload, as the forge sends it for `action`. */
export function pullRequestPayload(
  forge: ForgeKind,
  action: string,
  pr: FakePullRequest,
  options: { merged?: boolean } = {},
): Record<string, unknown> {
  const closed = action === 'closed';
  const merged = closed && options.merged === true;
  const when = new Date().toISOString();
  const baseSha = 'f'.repeat(40);
  if (forge === 'github') {
    const base = githubRepository(pr.base, pr.baseCloneUrl);
    return {
      action,
      number: pr.number,
      pull_request: {
        url: `https://api.github.com/repos/${pr.base}/pulls/${pr.number}`,
        id: 90000 + pr.number,
        html_url: `https://github.com/${pr.base}/pull/${pr.number}`,
        number: pr.number,
        state: closed ? 'closed' : 'open',
        locked: false,
        title: pr.title ?? `change #${pr.number}`,
        user: githubUser(pr.author),
        body: null,
        created_at: when,
        updated_at: when,
        closed_at: closed ? when : null,
        merged_at: merged ? when : null,
        merge_commit_sha: merged ? 'e'.repeat(40) : null,
        draft: false,
        head: {
          label: `${pr.head.split('/')[0]}:${pr.branch}`,
          ref: pr.branch,
          sha: pr.sha,
          user: githubUser(pr.head.split('/')[0]!),
          repo: githubRepository(pr.head, pr.headCloneUrl),
        },
        base: {
          label: `${pr.base.split('/')[0]}:${pr.baseBranch ?? 'main'}`,
          ref: pr.baseBranch ?? 'main',
          sha: baseSha,
          user: githubUser(pr.base.split('/')[0]!),
          repo: base,
        },
        author_association: 'CONTRIBUTOR',
        merged,
        mergeable: null,
        merged_by: merged ? githubUser('maintainer') : null,
        commits: 1,
      },
      repository: base,
      sender: githubUser(pr.author),
    };
  }
  const base = giteaRepository(pr.base, pr.baseCloneUrl);
  // Gitea: a new head is 'synchronized'; a merge is 'closed' with merged: true.
  return {
    action,
    number: pr.number,
    pull_request: {
      id: 90000 + pr.number,
      url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}`,
      number: pr.number,
      user: giteaUser(pr.author),
      title: pr.title ?? `change #${pr.number}`,
      body: '',
      labels: [],
      milestone: null,
      assignee: null,
      assignees: null,
      requested_reviewers: null,
      state: closed ? 'closed' : 'open',
      draft: false,
      is_locked: false,
      comments: 0,
      html_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}`,
      diff_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}.diff`,
      patch_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}.patch`,
      mergeable: true,
      merged,
      merged_at: merged ? when : null,
      merge_commit_sha: merged ? 'e'.repeat(40) : null,
      merged_by: merged ? giteaUser('maintainer') : null,
      allow_maintainer_edit: false,
      base: {
        label: pr.baseBranch ?? 'main',
        ref: pr.baseBranch ?? 'main',
        sha: baseSha,
        repo_id: base.id,
        repo: base,
      },
      head: {
        label: pr.branch,
        ref: pr.branch,
        sha: pr.sha,
        repo_id: pr.head.length * 7919,
        repo: giteaRepository(pr.head, pr.headCloneUrl),
      },
      merge_base: baseSha,
      due_date: null,
      created_at: when,
      updated_at: when,
      closed_at: closed ? when : null,
      pin_order: 0,
    },
    requested_reviewer: null,
    repository: base,
    sender: giteaUser(pr.author),
    commit_id: '',
    review: null,
  };
}

/** A comment on the pull request (GitHub's and Gitea's issue_comment event, action 'created'). */
export function commentPayload(
  forge: ForgeKind,
  pr: FakePullRequest,
  commenter: string,
  body: string,
  action = 'created',
): Record<string, unknown> {
  const when = new Date().toISOString();
  if (forge === 'github') {
    const base = githubRepository(pr.base, pr.baseCloneUrl);
    return {
      action,
      issue: {
        url: `https://api.github.com/repos/${pr.base}/issues/${pr.number}`,
        html_url: `https://github.com/${pr.base}/pull/${pr.number}`,
        id: 80000 + pr.number,
        number: pr.number,
        title: pr.title ?? `change #${pr.number}`,
        user: githubUser(pr.author),
        labels: [],
        state: 'open',
        locked: false,
        comments: 1,
        created_at: when,
        updated_at: when,
        closed_at: null,
        author_association: 'CONTRIBUTOR',
        body: null,
        pull_request: {
          url: `https://api.github.com/repos/${pr.base}/pulls/${pr.number}`,
          html_url: `https://github.com/${pr.base}/pull/${pr.number}`,
          diff_url: `https://github.com/${pr.base}/pull/${pr.number}.diff`,
          patch_url: `https://github.com/${pr.base}/pull/${pr.number}.patch`,
          merged_at: null,
        },
      },
      comment: {
        url: `https://api.github.com/repos/${pr.base}/issues/comments/1`,
        html_url: `https://github.com/${pr.base}/pull/${pr.number}#issuecomment-1`,
        id: 1,
        user: githubUser(commenter),
        created_at: when,
        updated_at: when,
        author_association: 'NONE',
        body,
      },
      repository: base,
      sender: githubUser(commenter),
    };
  }
  const base = giteaRepository(pr.base, pr.baseCloneUrl);
  return {
    action,
    issue: {
      id: 80000 + pr.number,
      url: `https://gitea.example.org/api/v1/repos/${pr.base}/issues/${pr.number}`,
      html_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}`,
      number: pr.number,
      user: giteaUser(pr.author),
      title: pr.title ?? `change #${pr.number}`,
      body: '',
      ref: '',
      labels: [],
      milestone: null,
      assignee: null,
      assignees: null,
      state: 'open',
      is_locked: false,
      comments: 1,
      created_at: when,
      updated_at: when,
      closed_at: null,
      due_date: null,
      pull_request: { merged: false, merged_at: null, draft: false, html_url: '' },
      repository: { id: base.id, name: base.name, owner: pr.base.split('/')[0], full_name: pr.base },
      pin_order: 0,
    },
    comment: {
      id: 1,
      html_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}#issuecomment-1`,
      pull_request_url: `https://gitea.example.org/${pr.base}/pulls/${pr.number}`,
      issue_url: '',
      user: giteaUser(commenter),
      original_author: '',
      original_author_id: 0,
      body,
      assets: [],
      created_at: when,
      updated_at: when,
    },
    repository: base,
    sender: giteaUser(commenter),
    is_pull: true,
  };
}

/** Headers of a delivery of `event` signed with `secret`, as the forge sends them. */
export function deliveryHeaders(
  forge: ForgeKind,
  event: string,
  body: string,
  secret: string,
): Record<string, string> {
  const digest = createHmac('sha256', secret).update(body).digest('hex');
  const id = randomUUID();
  return forge === 'github'
    ? {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${digest}`,
        'user-agent': 'GitHub-Hookshot/fake',
      }
    : {
        'content-type': 'application/json',
        'x-gitea-event': event,
        'x-gitea-event-type': event === 'issue_comment' ? 'pull_request_comment' : event,
        'x-gitea-delivery': id,
        'x-gitea-signature': digest,
        'x-github-event': event,
        'x-gogs-event': event,
      };
}

/** POSTs the delivery to FC's webhook for the project; the answer's status and JSON. */
export async function deliver(
  fcUrl: string,
  projectId: number,
  forge: ForgeKind,
  event: string,
  payload: Record<string, unknown>,
  secret: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload);
  const r = await fetch(`${fcUrl}/api/v1/webhooks/${projectId}/${forge}`, {
    method: 'POST',
    headers: deliveryHeaders(forge, event, body, secret),
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
