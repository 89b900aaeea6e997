// `svn` and `svn-checkout` inputs: Hydra's value `URL [REVISION]`, a working copy updated in place;
// `svn` passes the files alone, `svn-checkout` the working copy with its `.svn`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactCredentials } from '../git/redact';
import type { InputFetcher } from './input-fetcher';
import { urlAndRevision, vcs } from './vcs-command';

function svnFetcher(type: 'svn' | 'svn-checkout'): InputFetcher {
  return async (input, context) => {
    const { url, revision } = urlAndRevision(input.name, input.value);
    const svn = (args: string[]) => vcs(input.name, 'svn', ['--non-interactive', ...args], context);
    const rev = ['--revision', revision ?? 'HEAD'];
    if (!existsSync(join(context.dir, '.svn'))) await svn(['checkout', ...rev, '--', url, context.dir]);
    else {
      await svn(['switch', '--ignore-ancestry', ...rev, '--', url, context.dir]);
      await svn(['revert', '--recursive', '--', context.dir]);
      await svn(['cleanup', '--remove-unversioned', '--remove-ignored', '--', context.dir]);
    }
    const number = Number(await svn(['info', '--show-item', 'last-changed-revision', '--', context.dir]));
    const uri = redactCredentials(url);
    return {
      input: {
        name: input.name,
        type: 'checkout',
        path: context.dir,
        exclude: type === 'svn' ? ['.svn'] : [],
        attrs: { inputType: type, uri, rev: number },
      },
      revision: { type, uri, rev: number },
    };
  };
}

export const fetchSvnInput = svnFetcher('svn');
export const fetchSvnCheckoutInput = svnFetcher('svn-checkout');
