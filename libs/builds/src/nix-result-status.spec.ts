import { describe, expect, it } from '@jest/globals';
import { BuildStatus } from '@fc/core';
import {
  hasOutputs,
  statusOfDependent,
  statusOfNixRun,
  statusOfOutputs,
  type NixRunResult,
} from './nix-result-status';

const DRV = '/nix/store/aaaa-top.drv';
const DEP = '/nix/store/bbbb-dep.drv';

function run(r: Partial<NixRunResult>): NixRunResult {
  return { exitCode: 1, signal: null, drvPath: DRV, steps: [], lastError: undefined, ...r };
}

describe('statusOfNixRun', () => {
  it('leaves a successful run to its outputs', () => {
    expect(statusOfNixRun(run({ exitCode: 0 }))).toEqual({ kind: 'built' });
  });

  it("gives the build's own failed step's status and message", () => {
    const v = statusOfNixRun(
      run({
        exitCode: 100,
        steps: [
          { drvPath: DEP, status: BuildStatus.Succeeded },
          { drvPath: DRV, status: BuildStatus.Failed, errorMessage: 'builder failed with exit code 1' },
        ],
      }),
    );
    expect(v).toEqual({
      kind: 'failed',
      status: BuildStatus.Failed,
      errorMessage: 'builder failed with exit code 1',
      busyStepStatus: BuildStatus.Aborted,
      busyStepMessage: 'aborted: another step failed',
      failedStep: { drvPath: DRV, status: BuildStatus.Failed },
    });
  });

  it.each([
    [BuildStatus.Failed, BuildStatus.DependencyFailed],
    [BuildStatus.TimedOut, BuildStatus.TimedOut],
    [BuildStatus.LogLimitExceeded, BuildStatus.LogLimitExceeded],
    [BuildStatus.CachedFailure, BuildStatus.DependencyFailed],
  ])('a dependency that failed with %i makes the build %i', (dep, build) => {
    const v = statusOfNixRun(
      run({ exitCode: 100, steps: [{ drvPath: DEP, status: dep, errorMessage: 'x' }] }),
    );
    expect(v).toMatchObject({ kind: 'failed', status: build, errorMessage: 'x' });
  });

  it('makes a build whose own step is a cached failure (8) failed (1)', () => {
    const v = statusOfNixRun(
      run({ exitCode: 100, steps: [{ drvPath: DRV, status: BuildStatus.CachedFailure }] }),
    );
    expect(v).toMatchObject({ kind: 'failed', status: BuildStatus.Failed });
  });

  it("prefers the build's own step over a dependency's", () => {
    const v = statusOfNixRun(
      run({
        exitCode: 101,
        steps: [
          { drvPath: DEP, status: BuildStatus.Failed },
          { drvPath: DRV, status: BuildStatus.TimedOut },
        ],
      }),
    );
    expect(v).toMatchObject({
      status: BuildStatus.TimedOut,
      failedStep: { drvPath: DRV, status: BuildStatus.TimedOut },
    });
  });

  it('names the failed dependency as the step that decided', () => {
    const v = statusOfNixRun(run({ exitCode: 100, steps: [{ drvPath: DEP, status: BuildStatus.Failed }] }));
    expect(v).toMatchObject({ failedStep: { drvPath: DEP, status: BuildStatus.Failed } });
  });

  it("uses Nix's last error when the step has no message", () => {
    const v = statusOfNixRun(
      run({ exitCode: 100, steps: [{ drvPath: DRV, status: BuildStatus.Failed }], lastError: 'boom' }),
    );
    expect(v).toMatchObject({ errorMessage: 'boom' });
  });

  it.each([
    [100, BuildStatus.Failed],
    [101, BuildStatus.TimedOut],
    [102, BuildStatus.Failed],
    [103, BuildStatus.TimedOut],
    [104, BuildStatus.NonDeterministic],
    [105, BuildStatus.TimedOut],
    [106, BuildStatus.NonDeterministic],
    [108, BuildStatus.Failed],
    [115, BuildStatus.TimedOut],
  ])('exit status %i with no failed step is %i', (exitCode, status) => {
    const v = statusOfNixRun(run({ exitCode, lastError: 'error: build failed' }));
    expect(v).toEqual({
      kind: 'failed',
      status,
      errorMessage: 'error: build failed',
      busyStepStatus: status,
      busyStepMessage: 'error: build failed',
    });
  });

  it('ignores steps that succeeded or are still running', () => {
    const v = statusOfNixRun(
      run({
        exitCode: 100,
        steps: [
          { drvPath: DEP, status: BuildStatus.Succeeded },
          { drvPath: DRV, status: undefined },
        ],
      }),
    );
    expect(v).toMatchObject({ kind: 'failed', status: BuildStatus.Failed });
  });

  it.each([
    [1, null, 'nix-store exited with 1'],
    [99, null, 'nix-store exited with 99'],
    [116, null, 'nix-store exited with 116'],
    [null, 'SIGKILL', 'nix-store exited with SIGKILL'],
  ])('exit status %p (signal %p) is the machinery failing', (exitCode, signal, message) => {
    expect(statusOfNixRun(run({ exitCode, signal }))).toEqual({ kind: 'machinery', errorMessage: message });
  });
});

describe('statusOfOutputs', () => {
  const outputs = [{ path: '/nix/store/cccc-out', narSize: 1000 }];

  it('is 0 for plain outputs', () => {
    expect(statusOfOutputs({ failedMarker: false, outputs, maxOutputSize: 1000 })).toEqual({
      status: BuildStatus.Succeeded,
      errorMessage: null,
    });
  });

  it('is 6 with nix-support/failed', () => {
    expect(statusOfOutputs({ failedMarker: true, outputs, maxOutputSize: 1000 }).status).toBe(
      BuildStatus.FailedWithOutput,
    );
  });

  it('is 11 when an output is over the limit, even with nix-support/failed', () => {
    expect(statusOfOutputs({ failedMarker: true, outputs, maxOutputSize: 999 })).toEqual({
      status: BuildStatus.OutputLimitExceeded,
      errorMessage: 'output /nix/store/cccc-out is 1000 bytes, over the limit of 999',
    });
  });

  it('counts an unknown size as 0', () => {
    const v = statusOfOutputs({
      failedMarker: false,
      outputs: [{ path: '/x', narSize: null }],
      maxOutputSize: 0,
    });
    expect(v.status).toBe(BuildStatus.Succeeded);
  });
});

describe('hasOutputs', () => {
  it('holds for 0 and 6 only', () => {
    const kept = Object.values(BuildStatus).filter(hasOutputs);
    expect(kept).toEqual([BuildStatus.Succeeded, BuildStatus.FailedWithOutput]);
  });
});

describe('statusOfDependent', () => {
  it.each([
    [BuildStatus.Failed, true, BuildStatus.Failed],
    [BuildStatus.Failed, false, BuildStatus.DependencyFailed],
    [BuildStatus.CachedFailure, true, BuildStatus.Failed],
    [BuildStatus.CachedFailure, false, BuildStatus.DependencyFailed],
    [BuildStatus.TimedOut, true, BuildStatus.TimedOut],
    [BuildStatus.TimedOut, false, BuildStatus.TimedOut],
    [BuildStatus.Aborted, false, BuildStatus.Aborted],
    [BuildStatus.NonDeterministic, false, BuildStatus.NonDeterministic],
  ])(
    'a step that failed with %i, the build needing it (its own derivation: %s), gets %i',
    (step, own, build) => {
      expect(statusOfDependent(step, own)).toBe(build);
    },
  );
});
