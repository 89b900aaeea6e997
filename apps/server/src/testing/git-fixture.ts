// Local git repositories for the dashboard's end-to-end specs (jobsets fetch them as file:// URLs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Identity and isolation from the user's git configuration, as arguments.
const GIT = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-c', 'commit.gpgsign=false'];

/** A git repository with `files` committed; returns its path. */
export function gitRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-pages-repo-'));
  execFileSync('git', [...GIT, 'init', '--quiet', '--initial-branch=main', dir]);
  commitFiles(dir, files);
  return dir;
}

/** Writes `files` and commits them; returns the new revision. */
export function commitFiles(repo: string, files: Record<string, string>, message = 'update'): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, name)), { recursive: true });
    writeFileSync(join(repo, name), content);
  }
  execFileSync('git', [...GIT, '-C', repo, 'add', '--all']);
  execFileSync('git', [...GIT, '-C', repo, 'commit', '--quiet', '--allow-empty', '-m', message]);
  return execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
}
