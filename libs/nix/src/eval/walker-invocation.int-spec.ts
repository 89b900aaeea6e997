// A walk that resumes after a crash skips every job already passed on, by name. Those names went to
// nix-instantiate as one argument, which Linux refuses past 128 KiB (E2BIG, about 5,000 job names):
// a large jobset with one job that breaks the walk could not be evaluated. They go on stdin now.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { BuiltinEvaluator } from './builtin-evaluator';
import type { EvaluatedJob } from './eval-types';
import { JobIndex } from './job-index';

const dir = mkdtempSync(join(tmpdir(), 'fc-walker-invocation-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built-in walker', () => {
  it('resumes after a crash with 200,000 jobs already passed on (the skip list on stdin, not an argument)', async () => {
    const salt = randomUUID();
    const drv = (name: string) =>
      `derivation { name = "${name}"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${salt} > $out" ]; }`;
    // `b` is an error builtins.tryEval cannot catch: the fast walk ends there, and careful walks follow.
    writeFileSync(join(dir, 'default.nix'), `{ a = ${drv('a')}; b = { }.missing; c = ${drv('c')}; }`);
    // As after a long walk that broke: the names of the jobs passed on so far.
    const index = new JobIndex();
    for (let i = 0; i < 200_000; i++) {
      index.add({ attr: `earlier.python3Packages.package-number-${i}`, drvPath: `/nix/store/x-${i}.drv` });
    }
    const jobs: EvaluatedJob[] = [];
    const evaluator = new BuiltinEvaluator(
      {
        workDir: dir,
        source: { kind: 'legacy', checkout: dir, file: 'default.nix' },
        inputs: [],
        restrictEval: true,
        allowIfd: false,
        timeoutMs: 120_000,
        onJob: (job) => {
          index.add(job);
          jobs.push(job);
        },
      },
      index,
    );
    const result = await evaluator.run();
    expect(jobs.map((j) => j.attr)).toEqual(['a', 'c']);
    expect([...result.errors.keys()]).toEqual(['b']);
    expect(result.errors.get('b')).toContain("attribute 'missing' missing");
  });
});
