// The evaluation half of the conformance table: jobs, metadata, errors, aggregates, input handling.
import { execFileSync } from 'node:child_process';
import { check, sameSet, type ConformanceCheck, type ConformanceContext } from './conformance-types';

async function evalFixture(ctx: ConformanceContext, expression: string, flake = false) {
  const jobsetId = await ctx.createJobset({ expression, flake });
  const r = await ctx.evaluate(jobsetId);
  check(r.outcome === 'succeeded', `evaluation ${r.outcome}: ${String(r.evaluation['error'])}`);
  return r;
}

function basicChecks(name: string, expression: string, flake: boolean): ConformanceCheck {
  return {
    name,
    run: async (ctx) => {
      const r = await evalFixture(ctx, expression, flake);
      sameSet(r.builds.keys(), ['empty_dir', 'fails', 'succeed_with_failed'], 'jobs');
      check(r.errors.size === 0, `unexpected errors: ${[...r.errors.keys()].join(', ')}`);
      const m = r.builds.get('empty_dir')!['maintainers'];
      check(m === 'alice@invalid.org', `empty_dir maintainers: ${String(m)}`);
    },
  };
}

function jobsOnly(file: string, jobs: readonly string[]): ConformanceCheck {
  return {
    name: `${file}: jobs ${jobs.join(', ')}`,
    run: async (ctx) => {
      const r = await evalFixture(ctx, file);
      sameSet(r.builds.keys(), jobs, 'jobs');
      check(r.errors.size === 0, `unexpected errors: ${[...r.errors.entries()].join('; ')}`);
    },
  };
}

export const checks: readonly ConformanceCheck[] = [
  basicChecks('basic.nix: empty_dir, fails, succeed_with_failed; maintainers', 'basic.nix', false),
  jobsOnly('one-job.nix', ['one_job']),
  jobsOnly('build-products.nix', ['simple', 'with_spaces']),
  jobsOnly('logging.nix', ['success', 'failure']),
  {
    name: 'meta.nix: license, maintainers, description, homepage',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'meta.nix');
      sameSet(r.builds.keys(), ['full-of-meta'], 'jobs');
      const b = r.builds.get('full-of-meta')!;
      check(b['license'] === 'MIT, BSD', `license: ${String(b['license'])}`);
      check(
        b['maintainers'] === 'alice@example.com, bob@not.found',
        `maintainers: ${String(b['maintainers'])}`,
      );
      check(
        b['description'] === 'This is the description of the job.',
        `description: ${String(b['description'])}`,
      );
      check(b['homepage'] === 'https://example.com/', `homepage: ${String(b['homepage'])}`);
    },
  },
  jobsOnly('nested-attributes.nix', [
    'packageset.nested',
    'packageset.nested2',
    'packageset.deeper.deeper.nested',
    'packageset-nested',
  ]),
  {
    name: 'aggregate.nix: aggregate of a and b',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'aggregate.nix');
      sameSet(r.builds.keys(), ['a', 'b', 'aggregate'], 'jobs');
      sameSet(r.constituents.get('aggregate') ?? [], ['a', 'b'], 'aggregate constituents');
      check(r.builds.get('aggregate')!['is_aggregate'] === true, 'aggregate is not marked as an aggregate');
    },
  },
  {
    name: 'constituents.nix: direct, indirect, mixed (alias collapses)',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'constituents.nix');
      check(r.builds.size === 6, `expected 6 builds, got ${r.builds.size}`);
      check(r.errors.size === 0, `unexpected errors: ${[...r.errors.entries()].join('; ')}`);
      sameSet(r.constituents.get('direct_aggregate') ?? [], ['constituentA'], 'direct_aggregate');
      sameSet(r.constituents.get('indirect_aggregate') ?? [], ['constituentA'], 'indirect_aggregate');
      sameSet(
        r.constituents.get('mixed_aggregate') ?? [],
        ['constituentA', 'constituentB'],
        'mixed_aggregate',
      );
    },
  },
  {
    name: 'constituents-glob.nix: ok_aggregate 2, indirect_aggregate 1',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'constituents-glob.nix');
      check(r.errors.size === 0, `unexpected errors: ${[...r.errors.entries()].join('; ')}`);
      sameSet(
        r.builds.keys(),
        ['packages.constituentA', 'packages.constituentB', 'ok_aggregate', 'indirect_aggregate'],
        'jobs',
      );
      check(r.constituents.get('ok_aggregate')?.length === 2, 'ok_aggregate should have 2 constituents');
      check(
        r.constituents.get('indirect_aggregate')?.length === 1,
        'indirect_aggregate should have 1 constituent',
      );
    },
  },
  {
    name: 'constituents-cycle.nix: "Dependency cycle: indirect_aggregate <-> ok_aggregate", 0 builds',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'constituents-cycle.nix');
      check(r.builds.size === 0, `expected 0 builds, got ${r.builds.size}`);
      const all = [...r.errors.values()].join('\n');
      check(all.includes('Dependency cycle: indirect_aggregate <-> ok_aggregate'), `errors: ${all}`);
    },
  },
  {
    name: 'broken-constituent.nix: 0 builds; does-not-exist and the assertion failure named',
    run: async (ctx) => {
      const r = await evalFixture(ctx, 'broken-constituent.nix');
      check(r.builds.size === 0, `expected 0 builds, got ${r.builds.size}`);
      const all = [...r.errors.values()].join('\n');
      check(all.includes('does-not-exist: does not exist'), `errors: ${all}`);
      check(/does-not-evaluate: error: assertion '?false'? failed/.test(all), `errors: ${all}`);
    },
  },
  {
    name: 'fod.nix: one job; a second jobset evaluates the same build',
    run: async (ctx) => {
      const r1 = await evalFixture(ctx, 'fod.nix');
      const r2 = await evalFixture(ctx, 'fod.nix');
      sameSet(r1.builds.keys(), ['fod'], 'jobs');
      check(
        r1.builds.get('fod')!['drv_path'] === r2.builds.get('fod')!['drv_path'],
        'the two jobsets gave different derivations',
      );
    },
  },
  jobsOnly('dependencies/underlyingOnly.nix', ['underlyingJob']),
  jobsOnly('dependencies/dependentOnly.nix', ['dependentJob']),
  basicChecks('flake-hydraJobs/: basic.nix jobs', 'flake-hydraJobs', true),
  basicChecks('flake-checks/: basic.nix jobs', 'flake-checks', true),
  jobsOnly('runcommand.nix', ['metrics']),
  {
    name: 'git-input.nix: each new commit of the input gives one new build; no change adds nothing',
    run: async (ctx) => {
      const stateDir = `${ctx.scratchDir}/git-input`;
      execFileSync('mkdir', ['-p', stateDir]);
      const update = () =>
        execFileSync('sh', [`${ctx.jobsDir}/git-update.sh`], { cwd: stateDir, stdio: 'ignore' });
      update(); // state 0: create the repository
      const jobsetId = await ctx.createJobset({
        expression: 'git-input.nix',
        inputs: [{ name: 'src', type: 'git', value: `file://${stateDir}/git-repo` }],
      });
      const r1 = await ctx.evaluate(jobsetId);
      check(r1.outcome === 'succeeded' && r1.builds.has('copy'), `first evaluation: ${r1.outcome}`);
      const again = await ctx.evaluate(jobsetId);
      check(again.outcome === 'unchanged', `re-evaluation without a change: ${again.outcome}`);
      for (const state of ['new commits', 'amended commit']) {
        update();
        const r = await ctx.evaluate(jobsetId);
        check(r.outcome === 'succeeded', `after ${state}: ${r.outcome}`);
        check(
          r.evaluation['nr_new_builds'] === 1,
          `after ${state}: ${String(r.evaluation['nr_new_builds'])} new builds`,
        );
      }
    },
  },
];
