// Runs one build-derivation job: claims the build, realises its derivation with Nix while recording
// steps and logs, and finishes it with Hydra's status. Machinery failures are thrown so pg-boss
// retries the job; a build's own failure is a result, never retried. Once Nix runs, a database
// outage does not stop the build: its log lines, steps and result wait in memory and are written when
// the database answers again (README, "Security").
import {
  failedConstituents,
  lockBuildForRun,
  setBuildLogSize,
  jobsetSecretSources,
  unfinishedConstituentCount,
  untilDatabaseAnswers,
  withTransaction,
  type BuildRunRow,
  type Pool,
  type Queryable,
  type UntilAnswersOptions,
} from '@fc/db';
import {
  cachedFailureLogLines,
  deferBuild,
  failedConstituentMessage,
  failedDerivation,
  failedPathsAmong,
  hasFailedPaths,
  recordBuildStep,
  statusOfDependent,
  stoppedDependentMessage,
  type DependencyFailure,
  type FailedPath,
  type FailedStep,
  endBusySteps,
  finishBuild,
  handBackBuild,
  hasOutputs,
  startBuild,
  statusOfNixRun,
  statusOfOutputs,
} from '@fc/builds';
import {
  BuildStatus,
  secretRedactor,
  secretsOf,
  statusForFailedDependency,
  type BuildStatusCode,
} from '@fc/core';
import type { Logger } from '@fc/logging';
import type { BuilderMetrics } from '@fc/metrics';
import {
  BuildStepTracker,
  NixDaemonPool,
  addGcRoot,
  derivationOutputPaths,
  derivationsNeeding,
  derivationsToBuild,
  signStorePaths,
  buildReportRows,
  gcRootName,
  killProcessTreeNow,
  queryPathInfo,
  resolveOutputPaths,
  readBuildOutputs,
  sumSizes,
  type BuildOutputsSummary,
  type RealiseResult,
  type StorePathInfo,
} from '@fc/nix';
import type { Boss } from '@fc/queue';
import { hostname } from 'node:os';
import { BuildLogWriter } from './build-log-writer';
import type { BuildMachines } from './build-machines';
import { BuildStepRecorder } from './build-step-recorder';

export interface BuildRunnerSettings {
  /** queue_runner.build_timeout: caps meta.timeout. */
  readonly buildTimeout: number;
  readonly maxOutputSize: number;
  readonly maxLogSize: number;
  readonly unsupportedTimeout: number;
  /** seconds between checks of a deferred build (unsupported system, unfinished constituents). */
  readonly recheckSeconds: number;
  readonly gcRootsDir: string | undefined;
  /** signing.key_file when signing.enabled: each build's outputs are signed in the store. */
  readonly signingKeyFile?: string | undefined;
  /** GitHub or Gitea statuses configured: a build's start is reported too (a pending status). */
  readonly pendingStatuses?: boolean;
  /** Nix has substituters: a build whose outputs are only fetched is recorded as a cached build. */
  readonly substitutes?: boolean;
  /** server.base_url: step_finished names each step's log by its absolute URL on fc-server. */
  readonly serverUrl?: string | undefined;
}

/** The slice of a pg-boss job the runner needs (work() hands it JobWithMetadata). */
export interface BuildJob {
  readonly id: string;
  readonly data: { buildId: number };
  readonly retryCount: number;
  readonly retryLimit: number;
  readonly signal: AbortSignal;
}

export type RunOutcome = 'finished' | 'skipped' | 'deferred' | 'handed-back' | 'cancelled';

/** Why the runner killed Nix before it finished. */
/** This queue runner, as the dashboard's queue page names it. */
const RUNNER_NAME = `${hostname()} (pid ${process.pid})`;

type KillReason = 'cancelled' | 'log-limit' | 'hand-back' | 'claim-lost' | 'watchdog' | 'dependency-failed';

/** A failure of the machinery (Nix, the store, the database), not of the build: pg-boss retries it. */
export class MachineryError extends Error {
  override readonly name = 'MachineryError';
}

interface ActiveBuild {
  readonly pid: number;
  kill(reason: KillReason): void;
  /** A derivation it needs failed in another build: it stops and finishes as that failure's dependent. */
  failDependency(failure: DependencyFailure): void;
}

/** The status a step interrupted by each kill gets. */
const KILL_STATUS: Record<KillReason, BuildStatusCode> = {
  cancelled: BuildStatus.Cancelled,
  'log-limit': BuildStatus.LogLimitExceeded,
  'hand-back': BuildStatus.Aborted,
  'claim-lost': BuildStatus.Aborted,
  watchdog: BuildStatus.TimedOut,
  'dependency-failed': BuildStatus.Aborted,
};

interface Finish {
  readonly status: BuildStatusCode;
  readonly errorMessage: string | null;
  readonly isCached?: boolean;
  readonly releaseName?: string | null;
  readonly infos?: readonly StorePathInfo[];
  readonly outputs?: readonly { name: string; path: string }[];
  readonly summary?: BuildOutputsSummary;
  readonly logSize?: number | null;
  readonly failedPaths?: readonly FailedPath[];
  /** Substituted, not built: started = stopped. */
  readonly startedNow?: boolean;
  /** The step that failed the build, and the derivations that need it: its waiting dependents finish too. */
  readonly failedStep?: FailedStep;
}

const WATCHDOG_GRACE_SECONDS = 60;
const CLAIM_LOST = 'the queue runner lost its claim on the job (heartbeat or cancel)';

/** How a run writes to the database once Nix runs (#writesFor). */
interface RunWrites {
  readonly retry: UntilAnswersOptions;
  readonly write: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The job's heartbeat reached the database and found the job gone (retried or settled elsewhere). */
  readonly claimLost: () => boolean;
}

/** How a claimed build runs: built; substituted (nothing to build); or not at all (a cached failure). */
interface RunKind {
  readonly substituted: boolean;
  /** A derivation it needs is in the failed-paths cache (and the build that failed it). */
  readonly cached?: { readonly drvPath: string; readonly buildId: number | null };
}

export class BuildRunner {
  readonly #pool: Pool;
  readonly #boss: Boss;
  readonly #logger: Logger;
  readonly #machines: BuildMachines;
  readonly #nix: NixDaemonPool;
  readonly #compressLogs: boolean;
  readonly #settings: BuildRunnerSettings;
  readonly #metrics: BuilderMetrics | undefined;
  readonly #active = new Map<number, ActiveBuild>();
  /** Aborted when the process stops: writes then wait no longer for the database to answer. */
  readonly #giveUp = new AbortController();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;

  constructor(deps: {
    pool: Pool;
    boss: Boss;
    logger: Logger;
    machines: BuildMachines;
    /** logs.compress: log chunks are stored zstd-compressed. */
    compressLogs: boolean;
    settings: BuildRunnerSettings;
    /** fc-queue-runner's metrics (builds finished, their duration, steps, Nix sessions). */
    metrics?: BuilderMetrics;
  }) {
    this.#pool = deps.pool;
    this.#boss = deps.boss;
    this.#logger = deps.logger;
    this.#machines = deps.machines;
    // One nix-daemon --stdio per worker slot, kept between builds.
    this.#nix = new NixDaemonPool(deps.machines.nixClientSettings);
    this.#compressLogs = deps.compressLogs;
    this.#settings = deps.settings;
    this.#metrics = deps.metrics;
    this.#metrics?.observeNixSessions(() => this.#nix.sessions());
  }

  /** Ids of the builds whose Nix process runs in this process. */
  runningBuildIds(): number[] {
    return [...this.#active.keys()];
  }

  /** Kills a running build's Nix process tree (it was cancelled). False when it does not run here. */
  cancel(buildId: number): boolean {
    const active = this.#active.get(buildId);
    if (!active) return false;
    active.kill('cancelled');
    return true;
  }

  /**
   * A derivation the running build needs failed in another build (Hydra fails its dependents, running
   * ones too): its Nix run is stopped and it finishes as the failure's dependent. False when it does
   * not run here.
   */
  failDependency(buildId: number, failure: DependencyFailure): boolean {
    const active = this.#active.get(buildId);
    if (!active) return false;
    active.failDependency(failure);
    return true;
  }

  /**
   * Stops every running build and hands it back to the queue (the process is stopping); from now on
   * no write waits for the database to answer.
   */
  handBackAll(): void {
    this.#giveUp.abort();
    for (const active of this.#active.values()) active.kill('hand-back');
  }

  /** SIGKILLs every running Nix process tree now (the process is exiting; nothing may outlive it). */
  killAllNow(): void {
    for (const active of this.#active.values()) killProcessTreeNow(active.pid);
  }

  /** Ends the idle Nix sessions (the worker has stopped). */
  async close(): Promise<void> {
    await this.#nix.close();
  }

  /** Resolves when no job is being handled. */
  async idle(): Promise<void> {
    if (this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async run(job: BuildJob): Promise<RunOutcome> {
    this.#running++;
    try {
      return await this.#run(job);
    } finally {
      this.#running--;
      if (this.#running === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #run(job: BuildJob): Promise<RunOutcome> {
    const buildId = job.data.buildId;
    const logger = this.#logger.child({ component: 'build-runner', buildId, jobId: job.id });
    const claim = await withTransaction(this.#pool, (tx) => this.#claim(tx, job, logger));
    if (claim.kind !== 'run') {
      // Finished unbuilt (an aggregate whose constituent failed, an unsupported system): counted now
      // that the transaction committed.
      if (claim.kind === 'finished' && claim.status !== undefined) this.#metrics?.buildFinished(claim.status);
      logger.debug('build not run', { outcome: claim.kind });
      return claim.kind;
    }
    const row = claim.row;
    const started = Date.now();
    logger.info('build started', {
      drvPath: row.drvPath,
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
    });
    const running = this.#metrics?.buildStarted();
    let outcome: RunOutcome;
    try {
      outcome = await this.#build(job, row, logger, started, claim);
    } finally {
      running?.();
    }
    logger.info('build done', { outcome, durationMs: Date.now() - started });
    return outcome;
  }

  async #claim(
    tx: Queryable,
    job: BuildJob,
    logger: Logger,
  ): Promise<
    | ({ kind: 'run'; row: BuildRunRow } & RunKind)
    | { kind: 'skipped' | 'deferred' }
    | { kind: 'finished'; status?: BuildStatusCode }
  > {
    const row = await lockBuildForRun(tx, job.data.buildId);
    // Finished (cancelled while queued), restarted under a newer job, or deleted: nothing to do.
    if (!row || row.finished || row.queueJobId !== job.id) return { kind: 'skipped' };
    const recheck = new Date(Date.now() + this.#settings.recheckSeconds * 1000);
    if (row.isAggregate) {
      if ((await unfinishedConstituentCount(tx, row.id)) > 0) {
        await deferBuild(tx, this.#boss, row, recheck);
        return { kind: 'deferred' };
      }
      // Hydra: named constituents are dependencies, so a failed one fails the aggregate unbuilt.
      const [failed] = await failedConstituents(tx, row.id);
      if (failed) {
        const status = statusForFailedDependency(failed.buildStatus as BuildStatusCode);
        const done = await this.#finishInTx(tx, row.id, {
          status,
          errorMessage: failedConstituentMessage(failed.job, failed.id, failed.buildStatus),
        });
        return done ? { kind: 'finished', status } : { kind: 'finished' };
      }
    }
    if (!(await this.#machines.supports(row.system, row.requiredFeatures))) {
      const deadline = row.createdAt.getTime() + this.#settings.unsupportedTimeout * 1000;
      if (Date.now() >= deadline) {
        const features = row.requiredFeatures.length
          ? ` with features {${row.requiredFeatures.join(', ')}}`
          : '';
        const done = await this.#finishInTx(tx, row.id, {
          status: BuildStatus.Unsupported,
          errorMessage: `unsupported system type: no machine builds '${row.system}'${features}`,
        });
        return done ? { kind: 'finished', status: BuildStatus.Unsupported } : { kind: 'finished' };
      }
      await deferBuild(tx, this.#boss, row, new Date(Math.min(deadline, recheck.getTime())));
      return { kind: 'deferred' };
    }
    // Hydra: a build whose outputs are substituted, not built, is a cached build: started = stopped,
    // only its finish reported (no build_started, no pending status). So is one that needs a derivation
    // in the failed-paths cache (a cached failure): it is not run.
    const substituted = this.#settings.substitutes === true && (await this.#nothingToBuild(row.drvPath));
    const cached = substituted ? undefined : await this.#cachedFailure(row, logger);
    const notices = { pendingStatuses: this.#settings.pendingStatuses ?? false };
    if (!substituted && !cached && !(await startBuild(tx, this.#boss, row.id, RUNNER_NAME, notices)))
      return { kind: 'skipped' };
    return { kind: 'run', row, substituted, ...(cached ? { cached } : {}) };
  }

  async #build(
    job: BuildJob,
    row: BuildRunRow,
    logger: Logger,
    started: number,
    { substituted, cached }: RunKind,
  ): Promise<RunOutcome> {
    const writes = this.#writesFor(job, logger);
    const { retry, write } = writes;
    // What the jobset holds secret never reaches a stored log line or error (README, "Security").
    const redact = secretRedactor(secretsOf(await jobsetSecretSources(this.#pool, row.jobsetId)));
    const logOptions = { compress: this.#compressLogs, retry, redact };
    const buildLog = await BuildLogWriter.openBuildLog(this.#pool, row.id, logOptions);
    let killReason: KillReason | undefined;
    let killing: Promise<void> | undefined;
    let kill: (reason: KillReason) => void = () => undefined;
    let dependencyFailure: DependencyFailure | undefined;
    const failDependency = (failure: DependencyFailure) => {
      dependencyFailure ??= failure;
      kill('dependency-failed');
    };
    const recorder = new BuildStepRecorder(
      this.#pool,
      row,
      buildLog,
      logOptions,
      (bytes) => {
        if (bytes > this.#settings.maxLogSize) kill('log-limit');
      },
      this.#settings.serverUrl,
    );
    const tracker = new BuildStepTracker({
      stepStarted: (step) => {
        recorder.stepStarted(step);
        // A derivation that failed since the build started (its failure's signal missed, or committed
        // before this build was seen running) is not built again here.
        if (step.kind === 'build') void this.#checkFailedStep(step.drvPath, failDependency, logger);
      },
      stepFinished: (step) => {
        recorder.stepFinished(step);
        if (step.status !== undefined) this.#metrics?.stepFinished(step.status);
      },
      logLine: (line, step) => recorder.logLine(line, step),
    });
    // Every finish below is timed from the start of the Nix run.
    const finish = (f: Finish) =>
      this.#finish(row.id, { ...f, errorMessage: f.errorMessage && redact(f.errorMessage) }, started, writes);
    if (cached) {
      // Hydra's failed-paths cache: the derivation is not built again; its step is a cached failure (8).
      const message = `cached failure: ${cached.drvPath} failed before${cached.buildId === null ? '' : ` (build ${cached.buildId})`}; it is built again once a build that needs it is restarted`;
      const now = new Date();
      await withTransaction(this.#pool, (tx) =>
        recordBuildStep(tx, {
          buildId: row.id,
          stepNr: 1,
          type: 0,
          drvPath: cached.drvPath,
          system: cached.drvPath === row.drvPath ? row.system : null,
          machine: '',
          busy: false,
          status: BuildStatus.CachedFailure,
          errorMessage: message,
          logPath: null,
          startTime: now,
          stopTime: now,
          propagatedFrom: cached.buildId,
        }),
      );
      // Its log says why it did not run, and how to run it.
      for (const line of cachedFailureLogLines(cached.drvPath, cached.buildId, row.id))
        buildLog.writeLine(line);
      const logSize = await buildLog.close();
      const verdict = statusOfNixRun({
        exitCode: null,
        signal: null,
        drvPath: row.drvPath,
        steps: [{ drvPath: cached.drvPath, status: BuildStatus.CachedFailure, errorMessage: message }],
        lastError: undefined,
      });
      const status = verdict.kind === 'failed' ? verdict.status : BuildStatus.Failed;
      return finish({ status, errorMessage: message, isCached: true, logSize, startedNow: true });
    }
    const timeout = Math.min(row.timeout, this.#settings.buildTimeout);
    let result: RealiseResult;
    try {
      const nix = await this.#nix.realise(
        {
          drvPath: row.drvPath,
          timeoutSeconds: timeout,
          maxSilentSeconds: row.maxSilent,
          ...(await this.#machines.nixSettings()),
        },
        (event) => tracker.handle(event),
      );
      kill = (reason) => {
        if (killReason) return;
        killReason = reason;
        tracker.interrupt(KILL_STATUS[reason], `interrupted: ${reason}`);
        logger.info('killing the build', { reason, pid: nix.pid });
        killing = nix.kill();
      };
      this.#active.set(row.id, { pid: nix.pid, kill, failDependency });
      const onAbort = () => kill('claim-lost');
      job.signal.addEventListener('abort', onAbort);
      // Nix enforces the timeout; this only catches a Nix that does not (stuck on a lock, a lost remote).
      const watchdog = setTimeout(() => kill('watchdog'), (timeout + WATCHDOG_GRACE_SECONDS) * 1000);
      try {
        result = await nix.result;
        await killing;
      } finally {
        clearTimeout(watchdog);
        job.signal.removeEventListener('abort', onAbort);
        this.#active.delete(row.id);
      }
    } catch (e) {
      await recorder.flush().catch(() => undefined);
      await buildLog.close().catch(() => undefined);
      throw e;
    }

    const endLog = async (status: BuildStatusCode, message: string): Promise<number> => {
      tracker.abortRunning(status, message);
      await recorder.flush();
      return buildLog.close();
    };

    switch (killReason) {
      case 'cancelled': {
        const size = await endLog(BuildStatus.Cancelled, 'cancelled by a user');
        await write(() => endBusySteps(this.#pool, row.id, BuildStatus.Cancelled, 'cancelled by a user'));
        await write(() => setBuildLogSize(this.#pool, row.id, size));
        // The cancel finished the build's row; its run ended here.
        this.#metrics?.buildFinished(BuildStatus.Cancelled, (Date.now() - started) / 1000);
        return 'cancelled';
      }
      case 'hand-back': {
        await endLog(BuildStatus.Aborted, 'handed back: the queue runner is stopping');
        await write(() => withTransaction(this.#pool, (tx) => handBackBuild(tx, this.#boss, row.id, job.id)));
        return 'handed-back';
      }
      case 'claim-lost': {
        await endLog(BuildStatus.Aborted, 'the queue runner lost its claim on the job');
        const current = await write(() => lockBuildForRun(this.#pool, row.id));
        if (current?.finished) return 'cancelled';
        throw new MachineryError(CLAIM_LOST);
      }
      case 'log-limit': {
        const message = `log limit exceeded: more than ${this.#settings.maxLogSize} bytes`;
        const size = await endLog(BuildStatus.LogLimitExceeded, message);
        return finish({
          status: BuildStatus.LogLimitExceeded,
          errorMessage: message,
          logSize: size,
        });
      }
      case 'watchdog': {
        const message = `timed out after ${timeout} seconds`;
        const size = await endLog(BuildStatus.TimedOut, message);
        return finish({ status: BuildStatus.TimedOut, errorMessage: message, logSize: size });
      }
      case 'dependency-failed': {
        // As Hydra's dependents of a failed step: a step for the failed derivation naming the build it
        // failed in, and Hydra's status for a build that needs a failed step.
        const failure = dependencyFailure!;
        const message = stoppedDependentMessage(failure.drvPath, failure.failedIn);
        buildLog.writeLine(message);
        const size = await endLog(BuildStatus.Aborted, `aborted: ${message}`);
        const now = new Date();
        await write(() =>
          withTransaction(this.#pool, (tx) =>
            recordBuildStep(tx, {
              buildId: row.id,
              stepNr: tracker.steps.length + 1,
              type: 0,
              drvPath: failure.drvPath,
              system: failure.drvPath === row.drvPath ? row.system : null,
              machine: '',
              busy: false,
              status: failure.status,
              errorMessage: message,
              logPath: null,
              startTime: now,
              stopTime: now,
              propagatedFrom: failure.failedIn,
            }),
          ),
        );
        const status = statusOfDependent(failure.status, failure.drvPath === row.drvPath);
        return finish({ status, errorMessage: message, logSize: size });
      }
      case undefined:
        break;
    }

    const verdict = statusOfNixRun({
      exitCode: result.exitCode,
      signal: result.signal,
      drvPath: row.drvPath,
      steps: tracker.steps,
      lastError: tracker.errors.at(-1),
    });
    if (verdict.kind === 'built') {
      await recorder.flush();
      const logSize = await buildLog.close();
      return this.#finishSucceeded(
        row,
        substituted || tracker.steps.length === 0,
        logSize,
        started,
        writes,
        substituted,
      );
    }
    if (verdict.kind === 'failed') {
      const size = await endLog(verdict.busyStepStatus, verdict.busyStepMessage);
      const failedDrvs = tracker.steps
        .filter((s) => s.kind === 'build' && s.status === BuildStatus.Failed)
        .map((s) => s.drvPath);
      const failedStep = verdict.failedStep && (await this.#dependentsOf(verdict.failedStep, logger));
      return finish({
        status: verdict.status,
        errorMessage: verdict.errorMessage,
        logSize: size,
        failedPaths: await this.#failedPathsOf(failedDrvs, logger),
        ...(failedStep ? { failedStep } : {}),
      });
    }
    const nixError = redact(verdict.errorMessage);
    // Anything else is the machinery's failure (store error, a killed nix-store, ...).
    const size = await endLog(BuildStatus.Aborted, nixError);
    if (job.retryCount >= job.retryLimit) {
      logger.warn('build aborted after its last attempt', {
        attempt: job.retryCount + 1,
        maxAttempts: job.retryLimit + 1,
        error: nixError,
      });
      return finish({ status: BuildStatus.Aborted, errorMessage: nixError, logSize: size });
    }
    throw new MachineryError(nixError);
  }

  async #finishSucceeded(
    row: BuildRunRow,
    isCached: boolean,
    logSize: number,
    started: number,
    writes: RunWrites,
    substituted = false,
  ): Promise<RunOutcome> {
    const recorded = row.outputNames.map((name, i) => ({ name, path: row.outputPaths[i]! }));
    // A content-addressed output was a placeholder until now: Nix's realisation says where it went.
    let outputs: { name: string; path: string }[];
    try {
      outputs = await resolveOutputPaths(row.drvPath, recorded);
    } catch (e) {
      throw new MachineryError(e instanceof Error ? e.message : String(e));
    }
    // One `nix path-info` for every output, while the outputs' nix-support files are read.
    const [infos, summary] = await Promise.all([
      queryPathInfo(outputs.map((o) => o.path)),
      readBuildOutputs(outputs),
    ]);
    const missing = infos.find((i) => !i.valid);
    if (missing) throw new MachineryError(`output ${missing.path} is not valid after a successful build`);
    const { status, errorMessage } = statusOfOutputs({
      failedMarker: summary.failed,
      outputs: infos,
      maxOutputSize: this.#settings.maxOutputSize,
    });
    const rootsDir = this.#settings.gcRootsDir;
    if (rootsDir && hasOutputs(status)) {
      await Promise.all(outputs.map((o) => addGcRoot(rootsDir, gcRootName(row.id, o.name), o.path)));
    }
    const keyFile = this.#settings.signingKeyFile;
    if (keyFile && hasOutputs(status)) {
      try {
        await signStorePaths(
          keyFile,
          outputs.map((o) => o.path),
        );
      } catch (e) {
        throw new MachineryError(e instanceof Error ? e.message : String(e));
      }
    }
    return this.#finish(
      row.id,
      {
        status,
        errorMessage,
        isCached,
        releaseName: summary.releaseName ?? null,
        infos,
        outputs,
        summary,
        logSize,
        startedNow: substituted,
      },
      started,
      writes,
    );
  }

  /**
   * Finishes a build Nix ran (since `started`, ms), once the database answers; not when another
   * attempt holds the build's job by then (this run's result is no longer the build's).
   */
  async #finish(buildId: number, f: Finish, started: number, writes: RunWrites): Promise<RunOutcome> {
    const finished = await writes.write(() => {
      if (writes.claimLost()) throw new MachineryError(CLAIM_LOST);
      return withTransaction(this.#pool, (tx) => this.#finishInTx(tx, buildId, f));
    });
    if (finished) this.#metrics?.buildFinished(f.status, (Date.now() - started) / 1000);
    return 'finished';
  }

  /**
   * How this run writes once Nix runs: each write waits for the database to answer (one warning per
   * write that has to wait), until the process stops or the job's claim is found lost.
   */
  #writesFor(job: BuildJob, logger: Logger): RunWrites {
    const retry: UntilAnswersOptions = {
      signal: AbortSignal.any([this.#giveUp.signal, job.signal]),
      onRetry: (e, attempt) => {
        if (attempt === 1)
          logger.warn('the database does not answer: the build goes on, its records wait', {
            error: e instanceof Error ? e.message : String(e),
          });
      },
    };
    return {
      retry,
      write: (fn) => untilDatabaseAnswers(fn, retry),
      claimLost: () => job.signal.aborted,
    };
  }

  /** Finishes the build (unless a cancel got there first) and publishes it for notifications. */
  async #finishInTx(tx: Queryable, buildId: number, f: Finish): Promise<boolean> {
    const infoByPath = new Map((f.infos ?? []).map((i) => [i.path, i]));
    const sizes = (f.outputs ?? []).map((o) => ({
      name: o.name,
      narSize: infoByPath.get(o.path)?.narSize ?? null,
      closureSize: infoByPath.get(o.path)?.closureSize ?? null,
      path: o.path,
    }));
    return finishBuild(tx, this.#boss, buildId, {
      status: f.status,
      errorMessage: f.errorMessage,
      isCached: f.isCached ?? false,
      releaseName: f.releaseName ?? null,
      size: sumSizes(sizes.map((s) => s.narSize)),
      closureSize: sumSizes(sizes.map((s) => s.closureSize)),
      logSize: f.logSize ?? null,
      outputSizes: sizes,
      ...buildReportRows(f.summary),
      failedPaths: f.failedPaths ?? [],
      startedNow: f.startedNow ?? false,
      ...(f.failedStep ? { failedStep: f.failedStep } : {}),
    });
  }

  /**
   * A derivation the build needs, not valid, whose outputs are in the failed-paths cache (the build's
   * own first); undefined when there is none or the cache is empty.
   */
  async #cachedFailure(
    row: BuildRunRow,
    logger: Logger,
  ): Promise<{ drvPath: string; buildId: number | null } | undefined> {
    if (!(await hasFailedPaths(this.#pool))) return undefined;
    let outputs: Map<string, string[]>;
    try {
      outputs = await derivationOutputPaths(await derivationsToBuild(row.drvPath));
    } catch (e) {
      // The build itself will say what is wrong with its derivation.
      logger.warn('could not check the failed-paths cache', { error: (e as Error).message });
      return undefined;
    }
    const drvOf = new Map([...outputs].flatMap(([drv, paths]) => paths.map((p) => [p, drv] as const)));
    const hits = await failedPathsAmong(this.#pool, [...drvOf.keys()]);
    const hit = hits.find((h) => drvOf.get(h.path) === row.drvPath) ?? hits[0];
    return hit && { drvPath: drvOf.get(hit.path)!, buildId: hit.buildId };
  }

  /** Stops the build (failDependency) when Nix starts a step whose derivation is in the failed-paths cache. */
  async #checkFailedStep(
    drvPath: string,
    failDependency: (failure: DependencyFailure) => void,
    logger: Logger,
  ): Promise<void> {
    try {
      const failed = await failedDerivation(this.#pool, drvPath);
      if (failed?.buildId == null) return;
      failDependency({ failedIn: failed.buildId, drvPath, status: BuildStatus.CachedFailure });
    } catch (e) {
      // The database is away: Nix builds the step, as it would have without the cache.
      logger.debug('could not check a step against the failed-paths cache', {
        drvPath,
        error: (e as Error).message,
      });
    }
  }

  /** Whether Nix would build nothing for the derivation (its outputs are valid or substitutable). */
  async #nothingToBuild(drvPath: string): Promise<boolean> {
    try {
      return (await derivationsToBuild(drvPath)).length === 0;
    } catch {
      return false;
    }
  }

  /**
   * The failed step with the derivations that need it (Nix's referrers), whose builds still waiting fail
   * with it (Hydra's dependents); undefined when Nix cannot say (they then run and meet the cache).
   */
  async #dependentsOf(
    step: { drvPath: string; status: BuildStatusCode },
    logger: Logger,
  ): Promise<FailedStep | undefined> {
    try {
      return { ...step, neededBy: await derivationsNeeding(step.drvPath) };
    } catch (e) {
      logger.warn('could not find the builds that need the failed derivation', {
        drvPath: step.drvPath,
        error: (e as Error).message,
      });
      return undefined;
    }
  }

  /** The outputs of the derivations whose build failed, for the failed-paths cache. */
  async #failedPathsOf(drvPaths: readonly string[], logger: Logger): Promise<FailedPath[]> {
    try {
      const outputs = await derivationOutputPaths([...new Set(drvPaths)]);
      return [...outputs].flatMap(([drvPath, paths]) => paths.map((path) => ({ path, drvPath })));
    } catch (e) {
      logger.warn('could not record failed paths', { error: (e as Error).message });
      return [];
    }
  }
}
