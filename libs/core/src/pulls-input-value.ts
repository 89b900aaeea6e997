// The values of Hydra's `githubpulls` and `giteapulls` inputs (the JSON of a repository's open pull
// requests): `OWNER REPO` on GitHub, `HOST OWNER REPO [PROTOCOL]` on a Gitea/Forgejo (`https`
// unless the fourth word is `http`), as Hydra's GithubPulls and GiteaPulls plugins read them.

export type PullsInputType = 'githubpulls' | 'giteapulls';

export interface PullsInputValue {
  readonly owner: string;
  readonly repo: string;
  /** giteapulls: the forge's origin, e.g. `https://gitea.example.org` (`host[:port]` as given). */
  readonly origin: string | null;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const HOST = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

/** The value, or throws a message saying what it should be. */
export function parsePullsInputValue(type: PullsInputType, value: string): PullsInputValue {
  const words = value
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const shape = type === 'githubpulls' ? '"OWNER REPO"' : '"HOST OWNER REPO [https|http]"';
  const wrong = (why: string) =>
    new Error(`a ${type} value is ${shape}: ${why}, got ${JSON.stringify(value)}`);
  const names = (owner: string | undefined, repo: string | undefined) => {
    if (owner === undefined || repo === undefined) throw wrong('words are missing');
    if (!NAME.test(owner) || owner.startsWith('-'))
      throw wrong(`the owner ${JSON.stringify(owner)} is not a name`);
    if (!NAME.test(repo) || repo.startsWith('-'))
      throw wrong(`the repository ${JSON.stringify(repo)} is not a name`);
    return { owner, repo };
  };
  if (type === 'githubpulls') {
    if (words.length > 2) throw wrong('it has more than two words');
    return { ...names(words[0], words[1]), origin: null };
  }
  const [host, owner, repo, protocol, ...rest] = words;
  if (rest.length > 0) throw wrong('it has more than four words');
  if (host === undefined || !HOST.test(host))
    throw wrong('the first word is not a host name (with an optional :port)');
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    throw wrong(`the protocol ${JSON.stringify(protocol)} is neither https nor http`);
  }
  return { ...names(owner, repo), origin: `${protocol ?? 'https'}://${host}` };
}
