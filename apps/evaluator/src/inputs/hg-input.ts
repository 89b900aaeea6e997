// An `hg` input: Hydra's value `URL [BRANCH|REV]` (default branch: "default"), cloned once and
// pulled after; the checkout without `.hg`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactCredentials } from '../git/redact';
import type { InputFetcher } from './input-fetcher';
import { urlAndRevision, vcs } from './vcs-command';

export const fetchHgInput: InputFetcher = async (input, context) => {
  const { url, revision } = urlAndRevision(input.name, input.value);
  const hg = (args: string[]) => vcs(input.name, 'hg', ['--noninteractive', ...args], context);
  if (!existsSync(join(context.dir, '.hg'))) await hg(['clone', '--noupdate', '--', url, context.dir]);
  else await hg(['--cwd', context.dir, 'pull', '--', url]);
  await hg(['--cwd', context.dir, 'update', '--clean', '--rev', revision ?? 'default']);
  await hg(['--cwd', context.dir, '--config', 'extensions.purge=', 'purge', '--all']);
  const [node = '', number = '0'] = (
    await hg(['--cwd', context.dir, 'log', '--rev', '.', '--template', '{node} {rev}'])
  ).split(' ');
  const uri = redactCredentials(url);
  return {
    input: {
      name: input.name,
      type: 'checkout',
      path: context.dir,
      exclude: ['.hg'],
      attrs: { inputType: 'hg', uri, rev: node, revCount: Number(number) + 1, shortRev: node.slice(0, 12) },
    },
    revision: { type: 'hg', uri, branch: revision, rev: node },
  };
};
