// `bzr` and `bzr-checkout` inputs (Breezy's brz): Hydra's value `URL [REVISION]`; `bzr` is a branch
// passed without `.bzr`, `bzr-checkout` a checkout passed with it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactCredentials } from '../git/redact';
import type { InputFetcher } from './input-fetcher';
import { urlAndRevision, vcs } from './vcs-command';

function bzrFetcher(type: 'bzr' | 'bzr-checkout'): InputFetcher {
  return async (input, context) => {
    const { url, revision } = urlAndRevision(input.name, input.value);
    const brz = (args: string[]) => vcs(input.name, 'brz', args, context);
    const rev = revision === null ? [] : ['--revision', revision];
    if (!existsSync(join(context.dir, '.bzr'))) {
      await brz([type === 'bzr' ? 'branch' : 'checkout', ...rev, '--', url, context.dir]);
    } else if (type === 'bzr') {
      await brz(['pull', '--overwrite', ...rev, '--directory', context.dir, '--', url]);
    } else {
      await brz(['update', ...rev, '--', context.dir]);
    }
    await brz(['revert', '--no-backup', '--', context.dir]);
    await brz(['clean-tree', '--unknown', '--ignored', '--force', '--directory', context.dir]);
    const revno = Number(await brz(['revno', '--tree', '--', context.dir]));
    const uri = redactCredentials(url);
    return {
      input: {
        name: input.name,
        type: 'checkout',
        path: context.dir,
        exclude: type === 'bzr' ? ['.bzr'] : [],
        attrs: { inputType: type, uri, rev: revno },
      },
      revision: { type, uri, rev: revno },
    };
  };
}

export const fetchBzrInput = bzrFetcher('bzr');
export const fetchBzrCheckoutInput = bzrFetcher('bzr-checkout');
