// Hydra's input types through the built daemons, with FC's own repositories: for each version
// control system, as Hydra's input-type tests do, a first evaluation, a change giving one new build,
// and an unchanged input giving an unchanged evaluation; each input's revision recorded. A git
// revision pins its input; `deep` and the *-checkout types keep the metadata directory. A build input
// follows another jobset's newest succeeded build, which triggers the dependent jobset's next check.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requestEvaluation } from '@fc/queue';
import {
  commitFiles,
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  tempDir,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';

const salt = randomUUID();
let env: EvaluatorTestEnv;
let runnerDir: string;

const VCS_ENV = { ...process.env, HGUSER: 'fc', BRZ_EMAIL: 'FC <fc@example.invalid>', LC_ALL: 'C' };
const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { env: VCS_ENV, encoding: 'utf8', ...(cwd ? { cwd } : {}) }).trim();

/** A repository of `type` holding `file`; `commit` writes a new `file` and records it. */
interface Repo {
  readonly url: string;
  commit(content: string): void;
}

function repository(type: 'hg' | 'svn' | 'bzr' | 'darcs' | 'git'): Repo {
  const dir = tempDir(`fc-input-${type}-`);
  switch (type) {
    case 'hg':
      run('hg', ['init', dir]);
      return {
        url: `file://${dir}`,
        commit: (c) => {
          writeFileSync(join(dir, 'file'), c);
          run('hg', ['-R', dir, 'commit', '--addremove', '-q', '-m', c]);
        },
      };
    case 'svn': {
      run('svnadmin', ['create', join(dir, 'repo')]);
      run('svn', ['checkout', '-q', `file://${dir}/repo`, join(dir, 'wc')]);
      let added = false;
      return {
        url: `file://${dir}/repo`,
        commit: (c) => {
          writeFileSync(join(dir, 'wc', 'file'), c);
          if (!added) run('svn', ['add', '-q', join(dir, 'wc', 'file')]);
          added = true;
          run('svn', ['commit', '-q', '-m', c, join(dir, 'wc')]);
        },
      };
    }
    case 'bzr':
      run('brz', ['init', '-q', dir]);
      return {
        url: `file://${dir}`,
        commit: (c) => {
          writeFileSync(join(dir, 'file'), c);
          run('brz', ['add', '-q', join(dir, 'file')]);
          run('brz', ['commit', '-q', '-m', c, dir]);
        },
      };
    case 'darcs': {
      run('darcs', ['init', `--repodir=${dir}`]);
      let added = false;
      return {
        url: `file://${dir}`,
        commit: (c) => {
          writeFileSync(join(dir, 'file'), c);
          if (!added) run('darcs', ['add', '--quiet', `--repodir=${dir}`, 'file'], dir);
          added = true;
          // --ignore-times: a change of the same size within the same second is otherwise not seen.
          run('darcs', [
            'record',
            '--all',
            '--quiet',
            '--ignore-times',
            '-m',
            c,
            '--author',
            'fc',
            `--repodir=${dir}`,
          ]);
        },
      };
    }
    case 'git': {
      const repo = gitRepo({ file: '' });
      return { url: `file://${repo}`, commit: (c) => void commitFiles(repo, { file: c }) };
    }
  }
}

// The job's name says what the input holds: its file, and its metadata directories.
const RELEASE = `{ src }: let inherit (import ./lib.nix) mk; in {
  copy = mk "copy-\${builtins.readFile (src + "/file")}-\${
    builtins.concatStringsSep "+" (builtins.filter (n: builtins.match "[._].*" n != null)
      (builtins.attrNames (builtins.readDir src)))}-${salt}" { };
}`;

interface Evaluation {
  id: number;
  status: string;
  input_revisions: Record<string, Record<string, unknown>>;
}

async function evaluations(jobsetId: number): Promise<Evaluation[]> {
  const { rows } = await env.db.pool.query(
    'SELECT id, status, input_revisions FROM evaluations WHERE jobset_id = $1 AND finished_at IS NOT NULL ORDER BY id',
    [jobsetId],
  );
  return rows as Evaluation[];
}

/** Requests an evaluation and waits for it to finish. */
async function evaluate(jobsetId: number): Promise<Evaluation> {
  const before = (await evaluations(jobsetId)).length;
  await requestEvaluation(env.db.pool, env.boss, { jobsetId, force: false, reason: 'api' });
  return waitFor(
    `evaluation ${before + 1} of jobset ${jobsetId}`,
    async () => (await evaluations(jobsetId))[before],
    90_000,
  );
}

async function jobNames(jobsetId: number): Promise<string[]> {
  const { rows } = await env.db.pool.query('SELECT nix_name FROM builds WHERE jobset_id = $1 ORDER BY id', [
    jobsetId,
  ]);
  return rows.map((r: { nix_name: string }) => r.nix_name.replace(`-${salt}`, ''));
}

async function jobsetFor(type: string, value: string): Promise<number> {
  const project = gitRepo({ 'release.nix': RELEASE, 'lib.nix': MK_NIX });
  return (
    await createJobset(env.db.pool, {
      repositoryUrl: `file://${project}`,
      inputs: [{ name: 'src', type, value }],
    })
  ).jobsetId;
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-input-types-');
  runnerDir = tempDir('fc-input-types-runner-');
  mkdirSync(runnerDir, { recursive: true });
  void env.startDaemon('evaluator', {
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
  });
  void env.startDaemon('builder', {
    FC_LOGS__LOG_DIR: join(runnerDir, 'logs'),
    FC_GC__GC_ROOTS_DIR: join(runnerDir, 'gc-roots'),
    FC_QUEUE_RUNNER__WORK_DIR: join(runnerDir, 'work'),
    FC_QUEUE_RUNNER__WORKERS: '1',
    FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
  });
}, 60_000);

afterAll(async () => {
  await env.stop();
  rmSync(runnerDir, { recursive: true, force: true });
}, 60_000);

describe('version control inputs (Hydra input-types tests)', () => {
  it.each([
    ['hg', 'hg', ''],
    ['svn', 'svn', ''],
    ['svn-checkout', 'svn', '.svn'],
    ['bzr', 'bzr', ''],
    ['bzr-checkout', 'bzr', '.bzr'],
    ['darcs', 'darcs', ''],
    ['git', 'git', ''],
  ] as const)(
    '%s: a change gives one new build, no change an unchanged evaluation',
    async (type, vcs, kept) => {
      const repo = repository(vcs);
      repo.commit('one');
      const jobsetId = await jobsetFor(type, repo.url);
      const first = await evaluate(jobsetId);
      expect(first.status).toBe('succeeded');
      expect(await jobNames(jobsetId)).toEqual([`copy-one-${kept}`]);
      const rev = first.input_revisions['src']!;
      expect(rev['type']).toBe(type);
      expect(rev['rev']).toBeTruthy();

      repo.commit('two');
      const second = await evaluate(jobsetId);
      expect(second.status).toBe('succeeded');
      expect(await jobNames(jobsetId)).toEqual([`copy-one-${kept}`, `copy-two-${kept}`]);
      expect(second.input_revisions['src']!['rev']).not.toEqual(rev['rev']);

      const third = await evaluate(jobsetId);
      expect(third.status).toBe('unchanged');
      expect(await jobNames(jobsetId)).toHaveLength(2);
    },
    120_000,
  );

  it('git "URL REV" pins the input; "URL BRANCH deep" keeps .git', async () => {
    const repo = repository('git');
    repo.commit('pinned');
    const rev = run('git', ['-C', repo.url.slice('file://'.length), 'rev-parse', 'HEAD']);
    repo.commit('later');
    const pinned = await jobsetFor('git', `${repo.url} ${rev}`);
    const e = await evaluate(pinned);
    expect(e.status).toBe('succeeded');
    expect(e.input_revisions['src']).toMatchObject({ type: 'git', rev });
    expect(await jobNames(pinned)).toEqual(['copy-pinned-']);
    repo.commit('even-later');
    expect((await evaluate(pinned)).status).toBe('unchanged');

    const deep = await jobsetFor('git', `${repo.url} main deep`);
    expect((await evaluate(deep)).input_revisions['src']).toMatchObject({
      type: 'git',
      branch: 'main',
      deep: true,
    });
    expect(await jobNames(deep)).toEqual(['copy-even-later-.git']);
  }, 120_000);
});

describe('build and eval inputs', () => {
  it("follow another jobset's succeeded builds; a new one triggers the dependent jobset's next check", async () => {
    const upstreamRepo = gitRepo({
      'release.nix': `let inherit (import ./lib.nix) mk; in { base = mk "base-${salt}" { }; }`,
      'lib.nix': MK_NIX,
    });
    const upstream = await createJobset(env.db.pool, { repositoryUrl: `file://${upstreamRepo}` });
    const { rows } = await env.db.pool.query<{ name: string }>('SELECT name FROM projects WHERE id = $1', [
      upstream.projectId,
    ]);
    const project = rows[0]!.name;
    const downstreamRepo = gitRepo({
      'release.nix': `{ dep ? null }: let inherit (import ./lib.nix) mk; in {
        uses = mk "uses-\${if dep == null then "nothing" else "\${dep.outputName}-\${toString dep.id}"}-${salt}" { };
      }`,
      'lib.nix': MK_NIX,
    });
    const downstream = (
      await createJobset(env.db.pool, {
        repositoryUrl: `file://${downstreamRepo}`,
        checkInterval: 1,
        inputs: [{ name: 'dep', type: 'build', value: `${project}:main:base` }],
      })
    ).jobsetId;
    // No succeeded build yet: the input has no value.
    await waitFor('the downstream evaluation without the build', async () =>
      (await jobNames(downstream)).includes('uses-nothing') ? true : undefined,
    );
    const upstreamEvaluation = await evaluate(upstream.jobsetId);
    const { rows: built } = await env.db.pool.query<{ id: number }>(
      `SELECT id FROM builds WHERE jobset_id = $1 AND job = 'base'`,
      [upstream.jobsetId],
    );
    const buildId = Number(built[0]!.id);
    // The builder builds it; the downstream jobset's next check takes it.
    const names = await waitFor(
      'the downstream evaluation with the build',
      async () => {
        const n = await jobNames(downstream);
        return n.includes(`uses-out-${buildId}`) ? n : undefined;
      },
      90_000,
    );
    expect(names[0]).toBe('uses-nothing');
    const last = (await evaluations(downstream)).filter((e) => e.status === 'succeeded').at(-1)!;
    expect(last.input_revisions['dep']).toMatchObject({ type: 'build', build: buildId });

    // An eval input: the upstream evaluation's succeeded builds by job name.
    // eval inputs in Hydra's three forms, and a build input by build id (with its derivation).
    const consumerRepo = gitRepo({
      'release.nix': `{ up, upById, upWithJob, byId }: let inherit (import ./lib.nix) mk; in {
        seen = mk "seen-\${builtins.concatStringsSep "+" (builtins.attrNames up)}-\${
          if up.base == upById.base && up.base == upWithJob.base && builtins.pathExists up.base then "same" else "differ"}-\${
          toString byId.id}-\${if byId ? drvPath then "drv" else "nodrv"}-${salt}" { };
      }`,
      'lib.nix': MK_NIX,
    });
    const consumer = (
      await createJobset(env.db.pool, {
        repositoryUrl: `file://${consumerRepo}`,
        inputs: [
          { name: 'up', type: 'eval', value: `${project}:main` },
          { name: 'upById', type: 'eval', value: String(upstreamEvaluation.id) },
          { name: 'upWithJob', type: 'eval', value: `${project}:main:base` },
          { name: 'byId', type: 'build', value: String(buildId) },
        ],
      })
    ).jobsetId;
    const e = await evaluate(consumer);
    expect(e.status).toBe('succeeded');
    expect(await jobNames(consumer)).toEqual([`seen-base-same-${buildId}-drv`]);
    expect(e.input_revisions['up']).toMatchObject({ type: 'eval', jobset: `${project}:main` });
    expect(e.input_revisions['byId']).toMatchObject({ type: 'build', build: buildId });
  }, 180_000);
});
