// A declarative spec's flake jobset (Hydra's `type` 1, `flake`) as FC runs it: the flake's
// repository becomes a git input named "flake" holding it, and the jobset evaluates the flake at the
// input's fetched revision (nix_expression: the flake's directory). FC takes the flake references
// that are git repositories: git+<url> (with ref, rev and dir), github:owner/repo[/ref],
// gitlab:owner/repo[/ref].

export const FLAKE_INPUT = 'flake';

export interface FlakeAsGitInput {
  /** A git input value: "URL [REF|REV]". */
  readonly value: string;
  /** The flake's directory in the repository ('' = its root). */
  readonly dir: string;
}

const FORGES: Record<string, string> = { github: 'https://github.com', gitlab: 'https://gitlab.com' };

/** Throws a message naming what FC takes when the reference is not one of those. */
export function flakeAsGitInput(reference: string): FlakeAsGitInput {
  const forge =
    /^(github|gitlab):([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?:\/([A-Za-z0-9_./-]+))?(?:\?dir=([^&]+))?$/.exec(
      reference,
    );
  if (forge) {
    const [, host, owner, repo, ref, dir] = forge;
    const url = `${FORGES[host!]}/${owner}/${repo}.git`;
    return { value: ref ? `${url} ${ref}` : url, dir: dir ? decodeURIComponent(dir) : '' };
  }
  if (reference.startsWith('git+')) {
    const [url = '', query = ''] = reference.slice('git+'.length).split('?', 2);
    const params = new URLSearchParams(query);
    for (const key of params.keys()) {
      if (!['ref', 'rev', 'dir'].includes(key)) {
        throw new Error(
          `flake reference ${JSON.stringify(reference)}: FC does not take its "${key}" parameter`,
        );
      }
    }
    const pin = params.get('rev') ?? params.get('ref');
    return { value: pin ? `${url} ${pin}` : url, dir: params.get('dir') ?? '' };
  }
  throw new Error(
    `flake reference ${JSON.stringify(reference)}: FC takes flakes in git repositories ` +
      `(git+URL[?ref=…&rev=…&dir=…], github:OWNER/REPO[/REF], gitlab:OWNER/REPO[/REF])`,
  );
}
