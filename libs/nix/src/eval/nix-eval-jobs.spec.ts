import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { selectEvaluator } from './evaluate-jobset';
import { JobRecordError } from './job-record';
import { findExecutable, hydraMeta, nixEvalJobsArguments, parseNixEvalJobsLine } from './nix-eval-jobs';

// Lines in the shape nix-eval-jobs prints (written for these specs, store paths made up):
// --meta adds "meta", --constituents adds the three constituent keys to aggregates only.
const DRV = '/nix/store/0c5gqdsmvrwm4yzgl1kvz0jhnz5h5yc3-hello-2.12.drv';
const OUT = '/nix/store/d2xqbvfp7k5jgb09m2yxp3l8cfyw3b4s-hello-2.12';
const JOB_LINE = JSON.stringify({
  attr: 'hello',
  attrPath: ['hello'],
  drvPath: DRV,
  inputDrvs: { '/nix/store/1q8v4k2l3m5n6p7r8s9t0v1w2x3y4z5a-bash.drv': ['out'] },
  name: 'hello-2.12',
  outputs: { out: OUT, doc: '/nix/store/5b1lqd9f3ggz8s8vq1hx7r9m3k4y2c6n-hello-2.12-doc' },
  system: 'x86_64-linux',
  meta: {
    description: 'A program that says hello',
    homepage: 'https://example.org/hello',
    license: [{ shortName: 'MIT', fullName: 'MIT License' }, 'BSD'],
    maintainers: [{ email: 'alice@example.com', name: 'Alice' }, { name: 'no email' }, 'bob@not.found'],
    schedulingPriority: '250',
    timeout: 600,
    maxSilent: 60,
    isHydraChannel: false,
    position: '/nix/store/x-source/default.nix:3',
  },
  requiredSystemFeatures: ['kvm'],
});
const ERROR_LINE = JSON.stringify({
  attr: 'broken',
  attrPath: ['set', 'broken'],
  error: "error: attribute 'missing' missing\n\n       at /nix/store/x-source/release.nix:4:12:",
});
const AGGREGATE_LINE = JSON.stringify({
  attr: 'release',
  attrPath: ['release'],
  drvPath: '/nix/store/9k2b7jq3fqh0n2v5w8y1z4c6e8g0i2k4-release.drv',
  name: 'release',
  outputs: { out: '/nix/store/3m5o7q9s1u3w5y7a9c1e3g5i7k9m1o3q-release' },
  system: 'x86_64-linux',
  meta: {},
  constituents: [DRV],
  namedConstituents: ['tests.*'],
  globConstituents: true,
});

describe('parseNixEvalJobsLine', () => {
  it('reads a job with its outputs, system and meta joined as Hydra joins it', () => {
    const line = parseNixEvalJobsLine(JOB_LINE);
    expect(line).toEqual({
      kind: 'job',
      job: {
        attr: 'hello',
        nixName: 'hello-2.12',
        drvPath: DRV,
        system: 'x86_64-linux',
        outputs: { out: OUT, doc: '/nix/store/5b1lqd9f3ggz8s8vq1hx7r9m3k4y2c6n-hello-2.12-doc' },
        description: 'A program that says hello',
        homepage: 'https://example.org/hello',
        license: 'MIT, BSD',
        maintainers: 'alice@example.com, bob@not.found',
        schedulingPriority: 250,
        timeout: 600,
        maxSilent: 60,
        isChannel: false,
        requiredFeatures: ['kvm'],
      },
    });
  });

  it('names a job by its attribute path, and keeps the error verbatim', () => {
    expect(parseNixEvalJobsLine(ERROR_LINE)).toEqual({
      kind: 'error',
      attr: 'set.broken',
      message: "error: attribute 'missing' missing\n\n       at /nix/store/x-source/release.nix:4:12:",
      aggregate: false,
    });
  });

  it('tells an aggregate whose constituents nix-eval-jobs found broken', () => {
    const line = JSON.stringify({
      attr: 'agg',
      attrPath: ['agg'],
      drvPath: DRV,
      constituents: [],
      error: 'nope: does not exist\n',
    });
    expect(parseNixEvalJobsLine(line)).toEqual({
      kind: 'error',
      attr: 'agg',
      message: 'nope: does not exist',
      aggregate: true,
    });
  });

  it('reads an aggregate: constituents by derivation and by (glob) name', () => {
    const line = parseNixEvalJobsLine(AGGREGATE_LINE);
    if (line.kind !== 'job') throw new Error(`expected a job, got ${line.kind}`);
    expect(line.job.isAggregate).toBe(true);
    expect(line.job.globConstituents).toBe(true);
    expect(line.job.constituents).toEqual([{ drvPath: DRV }, { name: 'tests.*' }]);
  });

  it("defaults what a job without meta lacks (Hydra's defaults), and is not an aggregate", () => {
    const line = parseNixEvalJobsLine(
      '{"attr":"plain","attrPath":["plain"],"drvPath":"/nix/store/2a-plain.drv","name":"plain","outputs":{"out":"/nix/store/2b-plain"},"system":"aarch64-linux"}',
    );
    if (line.kind !== 'job') throw new Error(`expected a job, got ${line.kind}`);
    expect(line.job).toMatchObject({
      attr: 'plain',
      system: 'aarch64-linux',
      description: null,
      license: null,
      schedulingPriority: 100,
      timeout: 36000,
      maxSilent: 3600,
      requiredFeatures: [],
    });
    expect(line.job.isAggregate).toBeUndefined();
  });

  it('falls back to "attr" when an older nix-eval-jobs prints no attrPath', () => {
    const line = parseNixEvalJobsLine(
      '{"attr":"a.b","drvPath":"/nix/store/2a-x.drv","name":"x","outputs":{"out":"/nix/store/2b-x"},"system":"x86_64-linux"}',
    );
    expect(line.kind === 'job' && line.job.attr).toBe('a.b');
  });

  it('skips names the built-in walker skips (a dot or a space inside one component)', () => {
    expect(
      parseNixEvalJobsLine('{"attr":"\\"a.b\\"","attrPath":["a.b"],"drvPath":"/nix/store/2a-x.drv","outputs":{}}'),
    ).toEqual({ kind: 'skipped', attr: 'a.b' });
  });

  it('drops outputs whose path is not known (content-addressed) instead of storing null', () => {
    const line = parseNixEvalJobsLine(
      '{"attr":"ca","attrPath":["ca"],"drvPath":"/nix/store/2a-ca.drv","name":"ca","outputs":{"out":null},"system":"x86_64-linux"}',
    );
    expect(line.kind === 'job' && line.job.outputs).toEqual({});
  });

  it('rejects lines that are not job records', () => {
    expect(() => parseNixEvalJobsLine('warning: not JSON')).toThrow(JobRecordError);
    expect(() => parseNixEvalJobsLine('[1,2]')).toThrow(JobRecordError);
    expect(() => parseNixEvalJobsLine('{"drvPath":"/nix/store/2a-x.drv"}')).toThrow(/without a name/);
    expect(() => parseNixEvalJobsLine('{"attr":"x","attrPath":["x"],"outputs":{}}')).toThrow(/no drvPath/);
  });
});

describe('hydraMeta', () => {
  it('ignores values of the wrong type, as the built-in walker does', () => {
    expect(
      hydraMeta({ description: 3, license: { fullName: 'no short name' }, schedulingPriority: 'high', timeout: 1.5 }),
    ).toEqual({
      description: null,
      homepage: null,
      license: null,
      maintainers: null,
      schedulingPriority: undefined,
      timeout: undefined,
      maxSilent: undefined,
      isChannel: false,
    });
    expect(hydraMeta(null)).toEqual({});
  });
});

describe('nixEvalJobsArguments', () => {
  it("walks every nested set with meta and constituents, over FC's walker in root mode", () => {
    const args = nixEvalJobsArguments(
      {
        workDir: '/var/lib/fc/work',
        source: { kind: 'legacy', checkout: '/var/lib/fc/work/checkouts/1/repository', file: 'release.nix' },
        inputs: [{ name: 'system', type: 'string', value: 'x86_64-linux' }],
        restrictEval: true,
        allowIfd: false,
        timeoutMs: 1000,
        onJob: () => undefined,
      },
      '/var/lib/fc/work/fc-walker.nix',
      2,
    );
    expect(args.slice(0, 9)).toEqual([
      '--meta',
      '--constituents',
      '--force-recurse',
      '--workers',
      '2',
      '--gc-roots-dir',
      '/var/lib/fc/work/nix-eval-jobs-gcroots',
      '/var/lib/fc/work/fc-walker.nix',
      '--argstr',
    ]);
    expect(JSON.parse(args[10]!)).toMatchObject({ root: true, file: 'release.nix' });
    expect(args).toContain('restrict-eval');
    expect(args.join(' ')).toContain('-I /var/lib/fc/work/checkouts/1/repository');
  });
});

describe('evaluator selection (PATH lookup)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-path-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable file in the search path, skipping non-executables, directories and relative entries', () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(join(first, 'tool'), 'not executable');
    mkdirSync(join(second, 'other'));
    writeFileSync(join(second, 'tool'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(second, 'tool'), 0o755);
    const path = ['relative/bin', first, join(second, 'other'), second].join(delimiter);
    expect(findExecutable('tool', path)).toBe(join(second, 'tool'));
    expect(findExecutable('absent', path)).toBeNull();
  });

  it('chooses nix-eval-jobs when the PATH has it, else the built-in walker', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    expect(selectEvaluator(['/nonexistent', bin].join(delimiter))).toEqual({ kind: 'builtin' });
    // Only found, never run: selection is by PATH alone.
    writeFileSync(join(bin, 'nix-eval-jobs'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'nix-eval-jobs'), 0o755);
    expect(selectEvaluator(['/nonexistent', bin].join(delimiter))).toEqual({
      kind: 'nix-eval-jobs',
      path: join(bin, 'nix-eval-jobs'),
    });
    expect(selectEvaluator('')).toEqual({ kind: 'builtin' });
  });
});
