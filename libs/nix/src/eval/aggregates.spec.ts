import { describe, expect, it } from '@jest/globals';
import { globToRegExp, resolveAggregates } from './aggregates';
import type { Constituent, EvaluatedJob } from './eval-types';

function job(attr: string, drvPath = `/nix/store/${attr}.drv`): EvaluatedJob {
  return {
    attr,
    nixName: attr,
    drvPath,
    system: 'x86_64-linux',
    outputs: { out: `/nix/store/${attr}` },
    description: null,
    homepage: null,
    license: null,
    maintainers: null,
    schedulingPriority: 100,
    timeout: 36000,
    maxSilent: 3600,
    isChannel: false,
    requiredFeatures: [],
  };
}

function aggregate(attr: string, constituents: Constituent[], glob = false): EvaluatedJob {
  return { ...job(attr), isAggregate: true, globConstituents: glob, constituents };
}

const names = (...n: string[]) => n.map((name) => ({ name }));

describe('globToRegExp (fnmatch without flags)', () => {
  it('matches * and ? across dots, and character classes', () => {
    expect(globToRegExp('packages.*').test('packages.a.b')).toBe(true);
    expect(globToRegExp('packages.*').test('packagesX')).toBe(false);
    expect(globToRegExp('job?').test('job1')).toBe(true);
    expect(globToRegExp('job?').test('job12')).toBe(false);
    expect(globToRegExp('t[ab]').test('tb')).toBe(true);
    expect(globToRegExp('t[!ab]').test('ta')).toBe(false);
    expect(globToRegExp('t[!ab]').test('tc')).toBe(true);
  });

  it('takes regular expression characters literally', () => {
    expect(globToRegExp('a+b(c)').test('a+b(c)')).toBe(true);
    expect(globToRegExp('a.b').test('aXb')).toBe(false);
    expect(globToRegExp('[unclosed').test('[unclosed')).toBe(true);
  });
});

describe('resolveAggregates', () => {
  it('links named and derivation constituents, an alias collapsing to the shorter name', () => {
    const a = job('a');
    const alias = job('a_alias', a.drvPath);
    const b = job('b');
    const agg = aggregate('agg', [...names('a_alias'), { drvPath: b.drvPath }]);
    const r = resolveAggregates([a, alias, b, agg], new Map());
    expect(r.errors.size).toBe(0);
    expect(r.constituents.get('agg')).toEqual(['a', 'b']);
    expect(r.jobs.map((j) => j.attr)).toEqual(['a', 'a_alias', 'b', 'agg']);
  });

  it('expands globs over job names (and failed jobs), never matching the aggregate itself', () => {
    const r = resolveAggregates(
      [job('pkgs.x'), job('pkgs.y'), aggregate('pkgs.all', names('pkgs.*'), true)],
      new Map(),
    );
    expect(r.constituents.get('pkgs.all')).toEqual(['pkgs.x', 'pkgs.y']);
    const broken = resolveAggregates(
      [job('pkgs.x'), aggregate('all', names('pkgs.*'), true)],
      new Map([['pkgs.bad', 'error: boom']]),
    );
    expect(broken.errors.get('all')).toBe('pkgs.bad: error: boom');
  });

  it("gives Hydra's messages for a missing constituent and a glob without matches", () => {
    const r = resolveAggregates(
      [job('a'), aggregate('agg', names('nope')), aggregate('g', names('zz*'), true)],
      new Map(),
    );
    expect(r.errors.get('agg')).toBe('nope: does not exist');
    expect(r.errors.get('g')).toBe('zz*: constituent glob pattern had no matches');
    expect(r.jobs.map((j) => j.attr)).toEqual(['a']);
  });

  it('names a cycle by the first back edge of the depth-first walk and skips every other aggregate', () => {
    const r = resolveAggregates(
      [aggregate('ok_aggregate', names('indirect_aggregate')), aggregate('indirect_aggregate', names('ok_aggregate'))],
      new Map(),
    );
    const message = 'Dependency cycle: indirect_aggregate <-> ok_aggregate';
    expect(r.errors.get('ok_aggregate')).toBe(message);
    expect(r.errors.get('indirect_aggregate')).toBe(message);
    expect(r.jobs).toEqual([]);
    expect(r.log).toEqual([
      { level: 'error', message: "Found dependency cycle between jobs 'indirect_aggregate' and 'ok_aggregate'" },
    ]);
    // a -> b -> c -> a: the back edge c -> a names the pair; d, unrelated, is skipped.
    const longer = resolveAggregates(
      [
        aggregate('a', names('b')),
        aggregate('b', names('c')),
        aggregate('c', names('a')),
        aggregate('d', names('x')),
        job('x'),
      ],
      new Map(),
    );
    expect([...longer.aggregateErrors]).toEqual([
      ['a', 'Dependency cycle: a <-> c'],
      ['c', 'Dependency cycle: a <-> c'],
      ['b', 'Skipping aggregate because of a dependency cycle'],
      ['d', 'Skipping aggregate because of a dependency cycle'],
    ]);
    expect(longer.jobs.map((j) => j.attr)).toEqual(['x']);
  });

  it('takes an aggregate naming itself as no cycle (nix-eval-jobs), and no constituent', () => {
    const self = resolveAggregates([aggregate('me', names('me', 'x')), job('x')], new Map());
    expect(self.errors.size).toBe(0);
    expect(self.constituents.get('me')).toEqual(['x']);
  });

  it("logs what nix-eval-jobs logs for a missing job, a broken job and a glob without matches", () => {
    const r = resolveAggregates(
      [aggregate('agg', names('nope', 'bad')), aggregate('g', names('zz*'), true)],
      new Map([['bad', 'error: boom']]),
    );
    expect(r.log).toEqual([
      { level: 'error', message: "aggregate job 'agg' references non-existent job 'nope'" },
      { level: 'error', message: "aggregate job 'agg' references broken job 'bad': error: boom" },
      { level: 'warn', message: "aggregate job 'g' references constituent glob pattern 'zz*' with no matches" },
    ]);
    expect(r.aggregateErrors.get('agg')).toBe('nope: does not exist\nbad: error: boom');
  });

  it('breaks an aggregate of a broken aggregate too, and keeps the unrelated jobs', () => {
    const r = resolveAggregates(
      [job('a'), aggregate('inner', names('gone')), aggregate('outer', names('inner', 'a'))],
      new Map(),
    );
    expect(r.errors.get('inner')).toBe('gone: does not exist');
    expect(r.errors.get('outer')).toBe('inner: gone: does not exist');
    expect(r.jobs.map((j) => j.attr)).toEqual(['a']);
  });

  it('resolves an aggregate of aggregates in dependency order', () => {
    const r = resolveAggregates(
      [aggregate('top', names('mid')), aggregate('mid', names('leaf')), job('leaf')],
      new Map(),
    );
    expect(r.errors.size).toBe(0);
    expect(r.constituents.get('top')).toEqual(['mid']);
    expect(r.constituents.get('mid')).toEqual(['leaf']);
  });
});
