// Nix's error messages that name the derivation a failure belongs to, and the status each means.
import { BuildStatus, type BuildStatusCode } from '@fc/core';

export interface StepFailure {
  readonly drvPath: string;
  readonly status: BuildStatusCode;
  readonly message: string;
}

const PATTERNS: readonly { re: RegExp; status: BuildStatusCode }[] = [
  // "building of '/nix/store/…-x.drv!*' from .drv file timed out after 2 seconds [of silence]"
  { re: /building of '(\/[^'!]+\.drv)(?:![^']*)?'.* timed out after/, status: BuildStatus.TimedOut },
  { re: /builder for '(\/[^']+\.drv)' failed/, status: BuildStatus.Failed },
  { re: /build of '(\/[^']+\.drv)' on '[^']*' failed/, status: BuildStatus.Failed },
  { re: /hash mismatch in fixed-output derivation '(\/[^']+\.drv)'/, status: BuildStatus.Failed },
  { re: /derivation '(\/[^']+\.drv)' may not be deterministic/, status: BuildStatus.NonDeterministic },
  { re: /some outputs of '(\/[^']+\.drv)' are not valid/, status: BuildStatus.Failed },
  { re: /output '[^']*' of '(\/[^']+\.drv)'/, status: BuildStatus.Failed },
];

/** The failed derivation and its status, when `message` (ANSI-free) reports a step's failure. */
export function parseStepFailure(message: string): StepFailure | undefined {
  const text = message.replace(/^error: /, '');
  for (const { re, status } of PATTERNS) {
    const m = re.exec(text);
    if (m?.[1]) return { drvPath: m[1], status, message: text };
  }
  return undefined;
}

/** "N dependencies of derivation '…' failed to build": the parent failed only because of a dependency. */
export function isDependencyFailureMessage(message: string): boolean {
  return /dependencies of derivation '[^']+' failed to build|dependencies couldn't be built/.test(message);
}
