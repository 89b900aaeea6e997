// The webhook deliveries GitHub and Gitea/Forgejo send, for specs: the pull_request and
// issue_comment payloads with the forges' real structure (GitHub: docs.github.com "Webhook events
// and payloads"; Gitea/Forgejo: modules/structs PullRequestPayload and IssueCommentPayload).
import type { FakeForgeKind } from './fake-forge';

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
  forge: FakeForgeKind,
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
  forge: FakeForgeKind,
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
