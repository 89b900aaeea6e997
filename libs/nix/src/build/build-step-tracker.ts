// Turns Nix's structured log into Hydra's build steps: every derivation built (or path substituted)
// on behalf of one build, with its machine, times and status, and routes log lines to their step.
import { BuildStatus, type BuildStatusCode } from '@fc/core';
import { ActivityType, ResultType, type NixLogEvent } from './nix-log-events';
import { isDependencyFailureMessage, parseStepFailure, type StepFailure } from './build-failure-messages';

export type StepKind = 'build' | 'substitution';

export interface TrackedStep {
  /** 1-based, in the order Nix started the steps. */
  readonly nr: number;
  readonly kind: StepKind;
  /** The derivation built, or for a substitution the store path fetched. */
  readonly drvPath: string;
  /** "" for the local machine, else the remote builder's store URI. */
  readonly machine: string;
  readonly startedAt: Date;
  stoppedAt: Date | undefined;
  status: BuildStatusCode | undefined;
  errorMessage: string | undefined;
}

export interface StepTrackerListener {
  stepStarted(step: TrackedStep): void;
  /** A step got (or changed) its final status. */
  stepFinished(step: TrackedStep): void;
  /** A line for the build's log; `step` when Nix says which step printed it. */
  logLine(line: string, step: TrackedStep | undefined): void;
}

export class BuildStepTracker {
  readonly #listener: StepTrackerListener;
  readonly #byActivity = new Map<number, TrackedStep>();
  readonly #steps: TrackedStep[] = [];
  readonly #failures = new Map<string, StepFailure>();
  readonly #errors: string[] = [];
  readonly #clock: () => Date;
  #interrupted: { status: BuildStatusCode; message: string } | undefined;

  constructor(listener: StepTrackerListener, clock: () => Date = () => new Date()) {
    this.#listener = listener;
    this.#clock = clock;
  }

  get steps(): readonly TrackedStep[] {
    return this.#steps;
  }

  /** Nix's error messages in order (ANSI-free), for the build's error message. */
  get errors(): readonly string[] {
    return this.#errors;
  }

  handle(event: NixLogEvent): void {
    switch (event.kind) {
      case 'start':
        this.#start(event.id, event.type, event.fields);
        return;
      case 'stop':
        this.#stop(event.id);
        return;
      case 'result':
        if (event.type === ResultType.BuildLogLine || event.type === ResultType.PostBuildLogLine) {
          const line = typeof event.fields[0] === 'string' ? event.fields[0] : '';
          this.#listener.logLine(line, this.#byActivity.get(event.id));
        }
        return;
      case 'msg':
        this.#message(event.level, event.msg);
        return;
      case 'text':
        this.#listener.logLine(event.text, undefined);
        return;
    }
  }

  /**
   * The build is being killed (cancelled, over its log limit, handed back): steps Nix stops from now
   * on without a failure of their own get `status`, not "succeeded".
   */
  interrupt(status: BuildStatusCode, message: string): void {
    this.#interrupted ??= { status, message };
  }

  /** Ends every step still running with `status` (the build was cancelled, timed out or aborted). */
  abortRunning(status: BuildStatusCode, message: string): void {
    for (const step of this.#steps) {
      if (step.stoppedAt) continue;
      step.stoppedAt = this.#clock();
      step.status = status;
      step.errorMessage = message;
      this.#listener.stepFinished(step);
    }
  }

  /** The first failed step (by step number), if any. */
  firstFailure(): TrackedStep | undefined {
    return this.#steps.find((s) => s.status !== undefined && s.status !== BuildStatus.Succeeded);
  }

  #start(id: number, type: number, fields: readonly unknown[]): void {
    if (type !== ActivityType.Build && type !== ActivityType.Substitute) return;
    const path = typeof fields[0] === 'string' ? fields[0] : '';
    const machine = type === ActivityType.Build && typeof fields[1] === 'string' ? fields[1] : '';
    const step: TrackedStep = {
      nr: this.#steps.length + 1,
      kind: type === ActivityType.Build ? 'build' : 'substitution',
      drvPath: path,
      machine,
      startedAt: this.#clock(),
      stoppedAt: undefined,
      status: undefined,
      errorMessage: undefined,
    };
    this.#steps.push(step);
    this.#byActivity.set(id, step);
    this.#listener.stepStarted(step);
  }

  #stop(id: number): void {
    const step = this.#byActivity.get(id);
    if (!step || step.stoppedAt) return;
    step.stoppedAt = this.#clock();
    const failure = this.#failures.get(step.drvPath) ?? this.#interrupted;
    step.status = failure ? failure.status : BuildStatus.Succeeded;
    step.errorMessage = failure?.message;
    this.#listener.stepFinished(step);
  }

  #message(level: number, msg: string): void {
    // Level 0 is Nix's "error", 1 "warn"; both belong in the build's log.
    if (level <= 1) this.#listener.logLine(msg, undefined);
    if (level !== 0) return;
    this.#errors.push(msg.replace(/^error: /, ''));
    if (isDependencyFailureMessage(msg)) return;
    const failure = parseStepFailure(msg);
    if (!failure) return;
    this.#failures.set(failure.drvPath, failure);
    // Nix reports some failures after the step's activity stopped: correct its status then.
    for (const step of this.#steps) {
      if (step.drvPath === failure.drvPath && step.stoppedAt && step.status !== failure.status) {
        step.status = failure.status;
        step.errorMessage = failure.message;
        this.#listener.stepFinished(step);
      }
    }
  }
}
