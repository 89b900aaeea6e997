// Hydra's rules that turn what Nix did into a build's status. Pure: the queue runner feeds it the
// exit status, the steps it saw and what the outputs say, and records what it answers.
import { BuildStatus, statusForFailedDependency, statusForOwnStep, type BuildStatusCode } from '@fc/core';

export interface NixStepResult {
  readonly drvPath: string;
  /** undefined while the step has not ended. */
  readonly status: BuildStatusCode | undefined;
  readonly errorMessage?: string | undefined;
}

export interface NixRunResult {
  /** Nix's exit status (0, 1, 100..115); null when it was killed or died. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The derivation the build is for. */
  readonly drvPath: string;
  readonly steps: readonly NixStepResult[];
  /** The last error Nix printed, if any. */
  readonly lastError: string | undefined;
}

export type NixRunVerdict =
  /** Nix succeeded: the outputs decide (statusOfOutputs). */
  | { readonly kind: 'built' }
  /** The build failed: finish it with `status`; steps still running end with `busyStepStatus`. */
  | {
      readonly kind: 'failed';
      readonly status: BuildStatusCode;
      readonly errorMessage: string;
      readonly busyStepStatus: BuildStatusCode;
      readonly busyStepMessage: string;
      /** The step whose failure decided it (none when only Nix's exit status said so). */
      readonly failedStep?: { readonly drvPath: string; readonly status: BuildStatusCode };
    }
  /** Not the build's failure but the machinery's (store error, killed Nix): try again, or abort (3). */
  | { readonly kind: 'machinery'; readonly errorMessage: string };

/** Nix's exit statuses 100..115 are build failures; their low bits say which kind. */
const BUILD_FAILURE_MIN = 100;
const BUILD_FAILURE_MAX = 115;
const TIMED_OUT_BIT = 1;
const NOT_DETERMINISTIC_BIT = 4;

/**
 * Hydra's reading of a Nix run: a failed step of the build's own derivation gives its status (1 for a
 * cached failure, 8); a failed dependency gives 2 when it failed with 1 or 8, else its own status (a dependency that timed out makes the
 * build 7); exit statuses 100..115 with no failed step are a failure (7 with the timeout bit, 12 with
 * the non-determinism bit, else 1); anything else is the machinery's failure.
 */
export function statusOfNixRun(r: NixRunResult): NixRunVerdict {
  if (r.exitCode === 0) return { kind: 'built' };
  const nixError = r.lastError ?? `nix-store exited with ${r.exitCode ?? r.signal ?? 'no status'}`;
  const failed = r.steps.filter((s) => s.status !== undefined && s.status !== BuildStatus.Succeeded);
  const own = failed.find((s) => s.drvPath === r.drvPath);
  const first = own ?? failed[0];
  if (first?.status !== undefined) {
    return {
      kind: 'failed',
      status: statusOfDependent(first.status, own !== undefined),
      errorMessage: first.errorMessage ?? nixError,
      busyStepStatus: BuildStatus.Aborted,
      busyStepMessage: 'aborted: another step failed',
      failedStep: { drvPath: first.drvPath, status: first.status },
    };
  }
  if (r.exitCode !== null && r.exitCode >= BUILD_FAILURE_MIN && r.exitCode <= BUILD_FAILURE_MAX) {
    const bits = r.exitCode - BUILD_FAILURE_MIN;
    const status =
      bits & TIMED_OUT_BIT
        ? BuildStatus.TimedOut
        : bits & NOT_DETERMINISTIC_BIT
          ? BuildStatus.NonDeterministic
          : BuildStatus.Failed;
    return {
      kind: 'failed',
      status,
      errorMessage: nixError,
      busyStepStatus: status,
      busyStepMessage: nixError,
    };
  }
  return { kind: 'machinery', errorMessage: nixError };
}

/**
 * Hydra's status of a build that needs a step which failed with `stepStatus`: when the step built the
 * build's own derivation, the step's status (a cached failure, 8, makes it failed, 1); else 2 for a
 * step that failed with 1 or 8, any other status as itself (a dependency that timed out makes it 7).
 */
export function statusOfDependent(stepStatus: BuildStatusCode, ownDerivation: boolean): BuildStatusCode {
  return ownDerivation ? statusForOwnStep(stepStatus) : statusForFailedDependency(stepStatus);
}

export interface OutputsResult {
  /** An output has `nix-support/failed`. */
  readonly failedMarker: boolean;
  /** The outputs and their NAR sizes. */
  readonly outputs: readonly { readonly path: string; readonly narSize?: number | null | undefined }[];
  /** queue_runner.max_output_size, bytes. */
  readonly maxOutputSize: number;
}

/** A built build's status from its outputs: 11 when one is over the size limit, 6 with `nix-support/failed`, else 0. */
export function statusOfOutputs(r: OutputsResult): { status: BuildStatusCode; errorMessage: string | null } {
  const tooBig = r.outputs.find((o) => (o.narSize ?? 0) > r.maxOutputSize);
  if (tooBig) {
    return {
      status: BuildStatus.OutputLimitExceeded,
      errorMessage: `output ${tooBig.path} is ${tooBig.narSize} bytes, over the limit of ${r.maxOutputSize}`,
    };
  }
  return {
    status: r.failedMarker ? BuildStatus.FailedWithOutput : BuildStatus.Succeeded,
    errorMessage: null,
  };
}

/** Whether a finished build's outputs exist (and are kept: GC roots), as for 0 and 6. */
export function hasOutputs(status: BuildStatusCode): boolean {
  return status === BuildStatus.Succeeded || status === BuildStatus.FailedWithOutput;
}
