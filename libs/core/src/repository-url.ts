// Which forge repository a git URL names: the webhook receiver matches pushes to jobsets by it and
// the queue runner posts commit statuses to it. Understands https/http/ssh/git URLs and scp-like
// `git@host:owner/repo`; credentials, a trailing `.git` and slashes are ignored.

export interface RepositoryLocation {
  /** Lower-case host name, without port or credentials. */
  readonly host: string;
  /** The path without leading/trailing slashes and `.git`, e.g. `owner/repo` or `group/sub/repo`. */
  readonly path: string;
}

const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/;

/** The host and path of a remote git URL, or undefined for local paths, file:// and unparsable text. */
export function repositoryLocation(url: string): RepositoryLocation | undefined {
  const trimmed = url.trim();
  let host: string;
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol))
      return undefined;
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else {
    const scp = SCP_LIKE.exec(trimmed);
    if (!scp) return undefined;
    host = scp[1]!;
    path = scp[2]!;
  }
  path = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  if (!host || !path) return undefined;
  return { host: host.toLowerCase(), path };
}

/** `host/path`, lower-cased: two URLs of the same repository (https, ssh, .git or not) give one key. */
export function repositoryKey(url: string): string | undefined {
  const loc = repositoryLocation(url);
  return loc && `${loc.host}/${loc.path.toLowerCase()}`;
}

/** `owner` and `repo` of a two-segment forge path (GitHub, Gitea), or undefined. */
export function ownerAndRepo(location: RepositoryLocation): { owner: string; repo: string } | undefined {
  const parts = location.path.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { owner: parts[0], repo: parts[1] };
}

/**
 * A pull request's base repository: as the forge named it (`owner/name`, e.g. a webhook's or the API's
 * base.repo.full_name), else the owner and name in the project's repository URL; undefined when
 * neither names one.
 */
export function baseRepositoryNames(
  baseRepository: string | null,
  projectRepositoryUrl: string,
): { owner: string; repo: string } | undefined {
  if (baseRepository !== null) {
    const [owner, repo] = baseRepository.split('/');
    if (owner && repo) return { owner, repo };
  }
  const location = repositoryLocation(projectRepositoryUrl);
  return location && ownerAndRepo(location);
}

/**
 * Whether two URLs name one repository: forge URLs by host and path (any transport, `.git` or not),
 * anything else (file://, a local path) as written, without trailing slashes or `.git`.
 */
export function sameRepository(a: string, b: string): boolean {
  const key = (u: string) =>
    repositoryKey(u) ??
    u
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
  return key(a) === key(b);
}
