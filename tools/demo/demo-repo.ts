// The demo project's git repository: <clone>/.fc-demo/demo-repo, holding tools/demo/jobs. Created on
// the first run; on later runs a changed job file is committed, so the next evaluation sees it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

function git(repo: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-C', repo, '-c', 'user.name=FC demo', '-c', 'user.email=demo@example.invalid', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

export function ensureDemoRepo(repoDir: string, jobsDir: string): void {
  if (!existsSync(join(repoDir, '.git'))) {
    mkdirSync(repoDir, { recursive: true });
    git(repoDir, 'init', '--quiet', '--initial-branch=main');
  }
  cpSync(jobsDir, repoDir, { recursive: true });
  git(repoDir, 'add', '--all');
  if (git(repoDir, 'status', '--porcelain').trim() !== '') {
    git(repoDir, 'commit', '--quiet', '-m', "FC's demo jobs");
  }
}
