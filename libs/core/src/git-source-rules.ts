// What FC accepts as a jobset's sources: a repository URL (the project's, a git input's, a
// declarative spec's), a branch, the path of the Nix expression, a jobset's name. One set of rules,
// used by the API (400 naming the field) and by the evaluator before it runs git or Nix, so nothing
// the API accepts is refused later, and no value reaches git as an option or a transport FC does not
// support (git's `ext::` runs a command, `fd::` waits on a file descriptor until git_timeout).
// Each function gives the problem as a phrase ("it begins with '-'"), or undefined when the value is good.

/** The git transports FC fetches with. */
export const GIT_TRANSPORTS = ['https', 'http', 'ssh', 'git', 'file'] as const;

/** The hidden jobset of a declarative project (Hydra's); no ordinary jobset may take its name. */
export const DECLARATIVE_JOBSETS_JOBSET = '.jobsets';

const TRANSPORT_LIST = 'https, http, ssh, git or file';
// ssh's spellings git also accepts.
const SCHEMES = new Set<string>([...GIT_TRANSPORTS, 'git+ssh', 'ssh+git']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const REMOTE_HELPER = /^([A-Za-z][A-Za-z0-9+.-]*)::/;
const SCHEME_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):/;

export function repositoryUrlProblem(url: string): string | undefined {
  if (url.trim() === '') return 'it is empty';
  if (url.startsWith('-')) return "it begins with '-'";
  if (CONTROL.test(url)) return 'it contains a control character';
  const helper = REMOTE_HELPER.exec(url);
  if (helper) return `git's ${helper[1]}:: transport is not supported; use an ${TRANSPORT_LIST} URL`;
  const scheme = SCHEME_URL.exec(url);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (!SCHEMES.has(name)) return `the ${name} transport is not supported; use an ${TRANSPORT_LIST} URL`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'it is not a valid URL';
    }
    if (name !== 'file' && parsed.hostname === '') return 'it has no host';
    if (parsed.hostname.startsWith('-')) return "its host begins with '-'";
    return undefined;
  }
  if (url.startsWith('/')) return undefined;
  const scp = SCP_LIKE.exec(url);
  if (scp) return scp[1]!.startsWith('-') ? "its host begins with '-'" : undefined;
  return `it must be an ${TRANSPORT_LIST} URL, user@host:path, or an absolute path`;
}

export function branchProblem(branch: string): string | undefined {
  if (branch === '') return 'it is empty';
  if (branch.startsWith('-')) return "it begins with '-'";
  if (CONTROL.test(branch) || /\s/.test(branch)) return 'it contains a space or control character';
  return undefined;
}

/** A legacy jobset's expression file (or a flake's directory), relative to its repository or input. */
export function nixExpressionPathProblem(path: string): string | undefined {
  const clean = path.replace(/^\.\//, '');
  if (clean === '') return 'it is empty';
  if (CONTROL.test(path)) return 'it contains a control character';
  if (clean.startsWith('/') || clean.startsWith('-') || clean.split('/').includes('..'))
    return 'it must be a relative path inside the repository';
  return undefined;
}

/** A jobset's name as a user may give it (the API; a declarative spec's jobsets). */
export function jobsetNameProblem(name: string): string | undefined {
  if (name === DECLARATIVE_JOBSETS_JOBSET)
    return `${DECLARATIVE_JOBSETS_JOBSET} is reserved for a declarative project's spec jobset`;
  return undefined;
}

/**
 * The `URL [REVISION]` value of an hg, svn, svn-checkout, bzr, bzr-checkout or darcs input (Hydra's):
 * neither part may be taken for an option, nor the URL's host (`svn+ssh://-oProxyCommand=...`).
 */
export function vcsInputValueProblem(value: string): string | undefined {
  const [url, revision, ...rest] = value.trim().split(/\s+/);
  if (url === undefined || url === '') return 'it is empty; the value is "URL [REVISION]"';
  if (rest.length > 0) return `the value is "URL [REVISION]", got ${JSON.stringify(value)}`;
  if (url.startsWith('-') || revision?.startsWith('-')) return 'the URL and revision must not start with "-"';
  if (CONTROL.test(value)) return 'it contains a control character';
  if (SCHEME_URL.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `the URL ${url} is not a valid URL`;
    }
    if (parsed.hostname.startsWith('-') || parsed.username.startsWith('-')) {
      return `the URL ${url}: its host begins with '-'`;
    }
  }
  return undefined;
}

/** A path input's value: an absolute path. */
export function pathInputValueProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return `a path value must be an absolute path, got ${JSON.stringify(value)}`;
  if (CONTROL.test(value)) return 'it contains a control character';
  return undefined;
}
