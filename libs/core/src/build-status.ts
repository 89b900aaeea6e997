// Hydra's build status codes (Builds.buildstatus and step status share one number space).
// ../shared/conformance/README.md is the contract.

export const BuildStatus = {
  Succeeded: 0,
  Failed: 1,
  DependencyFailed: 2,
  Aborted: 3,
  Cancelled: 4,
  FailedWithOutput: 6,
  TimedOut: 7,
  CachedFailure: 8,
  Unsupported: 9,
  LogLimitExceeded: 10,
  OutputLimitExceeded: 11,
  NonDeterministic: 12,
} as const;

export type BuildStatusCode = (typeof BuildStatus)[keyof typeof BuildStatus];

export const BUILD_STATUS_CODES: readonly BuildStatusCode[] = Object.values(BuildStatus);

/** The API's status names: queued and running, then each code's name in code order. */
export const BUILD_STATUS_NAMES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'dependency-failed',
  'aborted',
  'cancelled',
  'failed-with-output',
  'timed-out',
  'cached-failure',
  'unsupported',
  'log-limit-exceeded',
  'output-limit-exceeded',
  'non-deterministic',
] as const;
export type BuildStatusName = (typeof BUILD_STATUS_NAMES)[number];

const NAMES: Record<BuildStatusCode, BuildStatusName> = {
  0: 'succeeded',
  1: 'failed',
  2: 'dependency-failed',
  3: 'aborted',
  4: 'cancelled',
  6: 'failed-with-output',
  7: 'timed-out',
  8: 'cached-failure',
  9: 'unsupported',
  10: 'log-limit-exceeded',
  11: 'output-limit-exceeded',
  12: 'non-deterministic',
};

/** The names of a build (or a step) that has no status code yet: waiting, or being built. */
export const UnfinishedStatus = { Queued: 'queued', Running: 'running' } as const satisfies Record<
  string,
  BuildStatusName
>;
export type UnfinishedStatusName = (typeof UnfinishedStatus)[keyof typeof UnfinishedStatus];

export function isUnfinishedStatusName(name: string): name is UnfinishedStatusName {
  return name === UnfinishedStatus.Queued || name === UnfinishedStatus.Running;
}

export function isBuildStatusCode(value: number): value is BuildStatusCode {
  return Object.prototype.hasOwnProperty.call(NAMES, value);
}

/** The API's status name of a build: its code's name once finished, else queued or running. */
export function buildStatusName(
  finished: boolean,
  code: number | null,
  startedAt: Date | null,
): BuildStatusName {
  if (!finished || code === null) return startedAt ? UnfinishedStatus.Running : UnfinishedStatus.Queued;
  if (!isBuildStatusCode(code)) throw new Error(`unknown build status code ${code}`);
  return NAMES[code];
}

/** A build step's status name: running while busy, queued while it has no status, else its code's. */
export function stepStatusName(busy: boolean, code: number | null): BuildStatusName {
  if (busy) return UnfinishedStatus.Running;
  if (code === null) return UnfinishedStatus.Queued;
  return buildStatusName(true, code, null);
}

/** Every code with its name, "0 succeeded, 1 failed, ...": for help texts that list them. */
export function buildStatusCodeList(): string {
  return BUILD_STATUS_CODES.map((code) => `${code} ${NAMES[code]}`).join(', ');
}

export function buildStatusCodeOfName(name: BuildStatusName): BuildStatusCode | null {
  for (const [code, n] of Object.entries(NAMES)) if (n === name) return Number(code) as BuildStatusCode;
  return null;
}

/** Statuses that "restart aborted" re-queues (Hydra: aborted, cancelled, unsupported). */
export const RESTARTABLE_ABORTED: readonly BuildStatusCode[] = [
  BuildStatus.Aborted,
  BuildStatus.Cancelled,
  BuildStatus.Unsupported,
];

/** Statuses that "restart failed" re-queues: every non-zero status. */
export const RESTARTABLE_FAILED: readonly BuildStatusCode[] = BUILD_STATUS_CODES.filter(
  (code) => code !== BuildStatus.Succeeded,
);

/**
 * Hydra: when a dependency fails with 1 (or is a cached failure, 8) the build is 2; any other failing
 * status propagates as itself.
 */
export function statusForFailedDependency(dependencyStatus: BuildStatusCode): BuildStatusCode {
  return dependencyStatus === BuildStatus.Failed || dependencyStatus === BuildStatus.CachedFailure
    ? BuildStatus.DependencyFailed
    : dependencyStatus;
}

/** A build's status from its own step's: a cached failure (8) is a step status only; the build failed (1). */
export function statusForOwnStep(stepStatus: BuildStatusCode): BuildStatusCode {
  return stepStatus === BuildStatus.CachedFailure ? BuildStatus.Failed : stepStatus;
}
