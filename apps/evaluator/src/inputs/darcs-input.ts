// A `darcs` input: Hydra's value `URL`, cloned once and pulled after; the files without `_darcs`.
// darcs takes local repositories as paths, so a file:// URL is given as its path.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FetchError } from '../git/git-fetch';
import { redactCredentials } from '../git/redact';
import type { InputFetcher } from './input-fetcher';
import { urlAndRevision, vcs } from './vcs-command';

export const fetchDarcsInput: InputFetcher = async (input, context) => {
  const { url, revision } = urlAndRevision(input.name, input.value);
  if (revision !== null) throw new FetchError(`input ${input.name}: a darcs value is a URL alone`);
  const source = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const darcs = (args: string[]) => vcs(input.name, 'darcs', args, context);
  if (!existsSync(join(context.dir, '_darcs'))) await darcs(['clone', '--', source, context.dir]);
  else {
    await darcs(['revert', '--all', `--repodir=${context.dir}`]);
    await darcs(['pull', '--all', `--repodir=${context.dir}`, '--', source]);
  }
  const log = await darcs(['log', '--last=1', '--xml-output', `--repodir=${context.dir}`]);
  const hash = /hash='([^']+)'/.exec(log)?.[1] ?? '';
  const count = Number(await darcs(['log', '--count', `--repodir=${context.dir}`]));
  const uri = redactCredentials(url);
  return {
    input: {
      name: input.name,
      type: 'checkout',
      path: context.dir,
      exclude: ['_darcs'],
      attrs: { inputType: 'darcs', uri, rev: hash, revCount: count },
    },
    revision: { type: 'darcs', uri, rev: hash },
  };
};
