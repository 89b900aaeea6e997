// Attacks on the evaluator: one jobset's expression reading another jobset's checkout or FC's files
// (every way Nix offers, and the flakes builtins restricted mode does not check); and the
// evaluator (which builds for import-from-derivation) saying at start whether Nix sandboxes builds.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitForLogRecord } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  tempDir,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { checkoutBase } from '../work-dirs';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

jest.setTimeout(60_000);

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-isolation-');
}, 60_000);

afterAll(async () => {
  await env.stop();
});

async function evaluate(jobsetId: number) {
  return evaluateJobsetJob(env.handlerDeps(), randomUUID(), { jobsetId, force: true, reason: 'api' });
}

async function row(text: string, values: unknown[]): Promise<Record<string, unknown>> {
  return (await env.db.pool.query(text, values)).rows[0] as Record<string, unknown>;
}

/** The jobset's latest evaluation's error, and its job errors and builds, each by job. */
async function latestEvaluationResults(jobsetId: number) {
  const { id, error } = await row(
    'SELECT id, error FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1',
    [jobsetId],
  );
  const errors = (
    await env.db.pool.query<{ job: string; message: string }>(
      'SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1 ORDER BY job',
      [id],
    )
  ).rows;
  const builds = (
    await env.db.pool.query<{ job: string; nix_name: string }>(
      'SELECT job, nix_name FROM builds WHERE evaluation_id = $1 ORDER BY job',
      [id],
    )
  ).rows;
  return { error: error as string | null, errors, builds };
}

describe('with restrict_eval on', () => {
  it("refuses a jobset's expression another jobset's checkout, and shows no byte of it", async () => {
    const secret = `secret-${randomUUID()}`;
    const a = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': `{ }`, 'secret.txt': secret })}`,
    });
    expect(await evaluate(a.jobsetId)).toBe('succeeded');
    const stolen = join(checkoutBase(env.workDir, a.jobsetId), 'repository', 'secret.txt');

    // B reads A's checkout at the top level (an evaluation error would publish it) and in a job.
    const b = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({
        'lib.nix': MK_NIX,
        'release.nix': `let inherit (import ./lib.nix) mk; in
          { own = mk "own-${randomUUID()}" { text = builtins.readFile ./lib.nix; };
            leak = mk (builtins.readFile ${stolen}) { }; }`,
        'top.nix': `throw (builtins.readFile ${stolen})`,
      })}`,
    });
    expect(await evaluate(b.jobsetId)).toBe('succeeded');
    const evaluation = await row('SELECT * FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1', [
      b.jobsetId,
    ]);
    const jobError = await row(
      'SELECT message FROM evaluation_errors WHERE evaluation_id = $1 AND job = $2',
      [evaluation['id'], 'leak'],
    );
    expect(jobError['message']).toContain('forbidden in restricted mode');
    expect(jobError['message']).not.toContain(secret);
    // Its own files stay readable.
    expect(
      await row('SELECT count(*)::int AS n FROM builds WHERE evaluation_id = $1 AND job = $2', [
        evaluation['id'],
        'own',
      ]),
    ).toEqual({ n: 1 });

    await env.db.pool.query(`UPDATE jobsets SET nix_expression = 'top.nix' WHERE id = $1`, [b.jobsetId]);
    expect(await evaluate(b.jobsetId)).toBe('eval-failed');
    const failed = await row('SELECT error FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1', [
      b.jobsetId,
    ]);
    expect(failed['error']).toContain('forbidden in restricted mode');
    expect(failed['error']).not.toContain(secret);
    const jobset = await row('SELECT error_message FROM jobsets WHERE id = $1', [b.jobsetId]);
    expect(jobset['error_message']).not.toContain(secret);
  });

  it('refuses every other way to another checkout or a file of FC: .., symlinks, builtins, fetchers, flakes, the environment', async () => {
    const secret = `secret-${randomUUID()}`;
    // A holds a flake, so builtins.getFlake could fetch its checkout whole.
    const a = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({
        'release.nix': `{ }`,
        'secret.txt': secret,
        'secret.nix': `"${secret}"`,
        'flake.nix': `{ outputs = { self }: { }; }`,
      })}`,
    });
    expect(await evaluate(a.jobsetId)).toBe('succeeded');
    const aCheckout = join(checkoutBase(env.workDir, a.jobsetId), 'repository');
    const stolen = join(aCheckout, 'secret.txt');
    const keyFile = join(env.workDir, 'checkout-key');
    const key = readFileSync(keyFile, 'utf8');
    process.env['FC_SPEC_SECRET'] = secret;

    const attacks: Record<string, string> = {
      'dot-dot': `builtins.readFile "${aCheckout}/../../${basename(dirname(aCheckout))}/repository/secret.txt"`,
      'symlink-file': 'builtins.readFile ./link.txt',
      'symlink-dir': 'builtins.readFile ./dirlink/secret.txt',
      'path-builtin': `builtins.readFile (builtins.path { path = ${stolen}; })`,
      'import-file': `import ${join(aCheckout, 'secret.nix')}`,
      'fetch-git': `builtins.readFile ((builtins.fetchGit "file://${aCheckout}") + "/secret.txt")`,
      'fetch-url': `builtins.readFile (builtins.fetchurl "file://${stolen}")`,
      'fetch-tree-path': `builtins.readFile (builtins.fetchTree { type = "path"; path = "${stolen}"; })`,
      'fetch-tree-key': `builtins.readFile (builtins.fetchTree { type = "path"; path = "${keyFile}"; })`,
      'get-flake': `builtins.readFile ((builtins.getFlake "${aCheckout}").outPath + "/secret.txt")`,
      'read-dir': `builtins.toJSON (builtins.readDir "${dirname(dirname(aCheckout))}")`,
      'nix-path': `builtins.readFile <fc-secret>`,
    };
    const bRepo = gitRepo({
      'lib.nix': MK_NIX,
      'release.nix': `let inherit (import ./lib.nix) mk; in {
        own = mk "own-${randomUUID()}" { };
        env = mk ("env-" + builtins.getEnv "FC_SPEC_SECRET") { };
        ${Object.entries(attacks)
          .map(([job, expression]) => `${job} = mk (${expression}) { };`)
          .join('\n        ')}
      }`,
    });
    symlinkSync(stolen, join(bRepo, 'link.txt'));
    symlinkSync(aCheckout, join(bRepo, 'dirlink'));
    commitFiles(bRepo, {}, 'symlinks into the other checkout');
    const b = await createJobset(env.db.pool, { repositoryUrl: `file://${bRepo}` });
    const savedNixPath = process.env['NIX_PATH'];
    process.env['NIX_PATH'] = `fc-secret=${stolen}`;
    try {
      expect(await evaluate(b.jobsetId)).toBe('succeeded');
    } finally {
      delete process.env['FC_SPEC_SECRET'];
      if (savedNixPath === undefined) delete process.env['NIX_PATH'];
      else process.env['NIX_PATH'] = savedNixPath;
    }
    const { error, errors, builds } = await latestEvaluationResults(b.jobsetId);
    // Every attack is a job error, none a build; the environment reads empty.
    expect(errors.map((e) => e.job)).toEqual(Object.keys(attacks).sort());
    expect(builds.map((x) => x.job)).toEqual(['env', 'own']);
    expect(builds.find((x) => x.job === 'env')?.nix_name).toBe('env-');
    for (const text of [JSON.stringify(errors), JSON.stringify(builds), error ?? '']) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(key);
    }
    const refusal = (job: string) => errors.find((e) => e.job === job)?.message;
    for (const job of ['dot-dot', 'symlink-file', 'symlink-dir', 'path-builtin', 'import-file', 'read-dir']) {
      expect([job, refusal(job)]).toEqual([job, expect.stringMatching(/forbidden in restricted mode/)]);
    }
    // The flakes feature, whose fetchTree and getFlake restricted mode does not check, is off.
    expect(refusal('fetch-tree-path')).toContain("experimental Nix feature 'flakes' is disabled");
    expect(refusal('get-flake')).toContain("attribute 'getFlake' missing");
  });

  it('confines a flake jobset too: pure mode, so fetchTree and getFlake need what it cannot know', async () => {
    const secret = `secret-${randomUUID()}`;
    const aRepo = gitRepo({
      'release.nix': `{ }`,
      'secret.txt': secret,
      'flake.nix': `{ outputs = { self }: { }; }`,
    });
    const a = await createJobset(env.db.pool, { repositoryUrl: `file://${aRepo}` });
    expect(await evaluate(a.jobsetId)).toBe('succeeded');
    const aRev = execFileSync('git', ['-C', aRepo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const aCheckout = join(checkoutBase(env.workDir, a.jobsetId), 'repository');
    const stolen = join(aCheckout, 'secret.txt');
    const keyFile = join(env.workDir, 'checkout-key');
    const key = readFileSync(keyFile, 'utf8');
    // What an attacker knows: the work directory, A's id and its revision (both public).
    const guessed = join(env.workDir, 'checkouts', String(a.jobsetId), 'repository');
    const attacks: Record<string, string> = {
      'read-file': `builtins.readFile "${stolen}"`,
      'fetch-tree-path': `builtins.readFile (builtins.fetchTree { type = "path"; path = "${stolen}"; })`,
      'fetch-tree-key': `builtins.readFile (builtins.fetchTree { type = "path"; path = "${keyFile}"; })`,
      'fetch-tree-git': `builtins.readFile ((builtins.fetchTree { type = "git"; url = "file://${aCheckout}"; rev = "${aRev}"; }) + "/secret.txt")`,
      'get-flake': `builtins.readFile ((builtins.getFlake "${aCheckout}").outPath + "/secret.txt")`,
      'get-flake-guessed': `builtins.readFile ((builtins.getFlake "git+file://${guessed}?rev=${aRev}").outPath + "/secret.txt")`,
    };
    const c = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({
        'lib.nix': MK_NIX,
        'flake.nix': `{ outputs = { self }: let inherit (import ./lib.nix) mk; in { hydraJobs = {
          own = mk "own-${randomUUID()}" { };
          ${Object.entries(attacks)
            .map(([job, expression]) => `${job} = mk (${expression}) { };`)
            .join('\n          ')}
        }; }; }`,
      })}`,
      flakeMode: true,
      nixExpression: '.',
    });
    expect(await evaluate(c.jobsetId)).toBe('succeeded');
    const { errors, builds } = await latestEvaluationResults(c.jobsetId);
    expect(errors.map((e) => e.job)).toEqual(Object.keys(attacks).sort());
    expect(builds.map((x) => x.job)).toEqual(['own']);
    for (const text of [JSON.stringify(errors), JSON.stringify(builds)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(key);
    }
    const refusal = (job: string) => errors.find((e) => e.job === job)?.message;
    expect(refusal('fetch-tree-path')).toContain(
      "in pure evaluation mode, 'fetchTree' requires a locked input",
    );
    expect(refusal('get-flake')).toContain("cannot call 'getFlake' on unlocked flake reference");
    expect(refusal('get-flake-guessed')).toContain(guessed);
  });

  it("names checkouts so that no expression can name another jobset's", async () => {
    const { jobsetId } = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': `{ }` })}`,
    });
    expect(await evaluate(jobsetId)).toBe('succeeded');
    const base = checkoutBase(env.workDir, jobsetId);
    expect(basename(base)).toMatch(new RegExp(`^${jobsetId}-[0-9a-f]{32}$`));
    expect(existsSync(join(base, 'repository', 'release.nix'))).toBe(true);
    expect(existsSync(join(env.workDir, 'checkouts', String(jobsetId)))).toBe(false);
    expect(statSync(join(env.workDir, 'checkout-key')).mode & 0o777).toBe(0o600);
  });
});

describe("FC's own files as a jobset's source", () => {
  it('are refused before anything is read: the work directory, a key, the hidden files of the home', async () => {
    const a = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': `{ }`, 'secret.txt': 'a' })}`,
    });
    expect(await evaluate(a.jobsetId)).toBe('succeeded');
    const aCheckout = join(checkoutBase(env.workDir, a.jobsetId), 'repository');
    const keyDir = tempDir('fc-eval-keys-');
    const key = join(keyDir, 'cache.sec');
    writeFileSync(key, `key-${randomUUID()}`);
    const home = tempDir('fc-eval-home-');
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'ssh key');
    const link = join(tempDir('fc-eval-link-'), 'innocent');
    symlinkSync(env.workDir, link);
    const deps = env.handlerDeps({
      protectedPaths: [{ path: key, what: "one of FC's keys" }],
      home,
    });
    const release = gitRepo({
      'lib.nix': MK_NIX,
      'release.nix': `{ stolen }: let inherit (import ./lib.nix) mk; in { leak = mk "leak" { text = builtins.readFile stolen; }; }`,
    });
    const cases: [string, Parameters<typeof createJobset>[1], string][] = [
      [
        'the work directory',
        {
          repositoryUrl: `file://${release}`,
          inputs: [{ name: 'stolen', type: 'path', value: join(env.workDir, 'checkout-key') }],
        },
        `input stolen: ${join(env.workDir, 'checkout-key')} is not a source FC reads: it is in fc-evaluator's work directory`,
      ],
      [
        "another jobset's checkout, as a git input",
        {
          repositoryUrl: `file://${release}`,
          inputs: [{ name: 'stolen', type: 'git', value: `file://${aCheckout}` }],
        },
        `input stolen: ${aCheckout} is not a source FC reads: it is in fc-evaluator's work directory`,
      ],
      [
        "another jobset's checkout, as the repository",
        { repositoryUrl: aCheckout },
        `repository_url: ${aCheckout} is not a source FC reads: it is in fc-evaluator's work directory`,
      ],
      [
        'a key',
        { repositoryUrl: `file://${release}`, inputs: [{ name: 'stolen', type: 'path', value: key }] },
        `input stolen: ${key} is not a source FC reads: it is in one of FC's keys`,
      ],
      [
        'the directory holding a key',
        { repositoryUrl: `file://${release}`, inputs: [{ name: 'stolen', type: 'path', value: keyDir }] },
        `input stolen: ${keyDir} is not a source FC reads: it holds one of FC's keys`,
      ],
      [
        "the home's SSH keys",
        {
          repositoryUrl: `file://${release}`,
          inputs: [{ name: 'stolen', type: 'path', value: join(home, '.ssh') }],
        },
        'is not a source FC reads: it is in ~/.ssh',
      ],
      [
        'a symlink to the work directory',
        {
          repositoryUrl: `file://${release}`,
          inputs: [{ name: 'stolen', type: 'path', value: `${link}/checkout-key` }],
        },
        "is not a source FC reads: it is in fc-evaluator's work directory",
      ],
    ];
    for (const [what, spec, message] of cases) {
      const { jobsetId } = await createJobset(env.db.pool, spec);
      const outcome = await evaluateJobsetJob(deps, randomUUID(), { jobsetId, force: true, reason: 'api' });
      const jobset = await row('SELECT error_message FROM jobsets WHERE id = $1', [jobsetId]);
      expect([what, outcome, jobset['error_message']]).toEqual([
        what,
        'fetch-failed',
        expect.stringContaining(message),
      ]);
      expect(await row('SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1', [jobsetId])).toEqual({
        n: 0,
      });
    }
    // A path outside FC's files is read as before.
    const elsewhere = join(tempDir('fc-eval-data-'), 'data.txt');
    writeFileSync(elsewhere, 'data');
    const { jobsetId } = await createJobset(env.db.pool, {
      repositoryUrl: `file://${release}`,
      inputs: [{ name: 'stolen', type: 'path', value: elsewhere }],
    });
    expect(await evaluateJobsetJob(deps, randomUUID(), { jobsetId, force: true, reason: 'api' })).toBe(
      'succeeded',
    );
  });
});

describe('a repository URL the API would refuse, in a row written before its rules', () => {
  it("is refused before git runs: git's fd:: transport would wait on a descriptor until git_timeout", async () => {
    for (const [url, problem] of [
      ['fd::17', "git's fd:: transport is not supported"],
      ['ext::sh -c touch% /tmp/fc-pwned', "git's ext:: transport is not supported"],
    ]) {
      const { jobsetId } = await createJobset(env.db.pool, { repositoryUrl: url! });
      const started = Date.now();
      expect(await evaluate(jobsetId)).toBe('fetch-failed');
      expect(Date.now() - started).toBeLessThan(20_000);
      const jobset = await row('SELECT error_message FROM jobsets WHERE id = $1', [jobsetId]);
      expect(jobset['error_message']).toContain(`invalid repository URL ${url}: ${problem}`);
    }
  });
});

describe('fc-evaluator at start', () => {
  it('says whether Nix sandboxes builds, warning loudly when it does not', async () => {
    // A checkout named by a jobset id alone (before keyed names) is removed: an expression could name it.
    const guessable = join(env.workDir, 'checkouts', '999999', 'repository');
    mkdirSync(guessable, { recursive: true });
    writeFileSync(join(guessable, 'secret.txt'), 'old checkout');
    const sandboxed = env.startDaemon('evaluator', { FC_EVALUATOR__WORK_DIR: env.workDir });
    expect(
      await waitForLogRecord(sandboxed, (r) => r.message.includes('sandboxed'), 'the sandbox line'),
    ).toMatchObject({ level: 'info', message: 'builds are sandboxed' });
    await waitForLogRecord(sandboxed, (r) => r.message === 'ready', 'ready');
    expect(existsSync(join(env.workDir, 'checkouts', '999999'))).toBe(false);
    const unsandboxed = env.startDaemon('evaluator', {
      FC_EVALUATOR__WORK_DIR: env.workDir,
      NIX_CONFIG: 'sandbox = false',
    });
    const warning = await waitForLogRecord(
      unsandboxed,
      (r) => r.message.includes('SANDBOXED'),
      'the warning',
    );
    expect(warning.level).toBe('warn');
    expect(warning.message).toContain('BUILDS ARE NOT SANDBOXED: sandbox = false');
    await env.stopDaemons();
  });
});
