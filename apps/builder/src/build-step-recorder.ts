// Records what the step tracker sees: each step's row (inserted when it starts, updated when it
// ends), its own log, and every line in the build's log. Database writes run in order on one chain,
// off the log-reading path (each log appends on its own chain); while the database does not answer
// they wait for it (`retry`), so a step that ends during an outage is recorded when it is back.
import { recordBuildStep } from '@fc/builds';
import { untilDatabaseAnswers, withTransaction, type Pool } from '@fc/db';
import type { StepTrackerListener, TrackedStep } from '@fc/nix';
import { BuildLogWriter, type LogWriterOptions } from './build-log-writer';

export class BuildStepRecorder implements StepTrackerListener {
  readonly #pool: Pool;
  readonly #buildId: number;
  readonly #topDrvPath: string;
  readonly #system: string;
  readonly #buildLog: BuildLogWriter;
  /** How step logs are written; its retry and redact apply to step rows too. */
  readonly #logOptions: LogWriterOptions;
  readonly #onLine: (bytes: number) => void;
  /** server.base_url, for the step logs' URLs on step_finished. */
  readonly #baseUrl: string | undefined;
  readonly #stepLogs = new Map<number, BuildLogWriter>();
  #chain: Promise<void> = Promise.resolve();
  #error: unknown;

  constructor(
    pool: Pool,
    build: { id: number; drvPath: string; system: string },
    buildLog: BuildLogWriter,
    logOptions: LogWriterOptions,
    onLine: (bytes: number) => void,
    baseUrl?: string,
  ) {
    this.#logOptions = logOptions;
    this.#pool = pool;
    this.#buildId = build.id;
    this.#topDrvPath = build.drvPath;
    this.#system = build.system;
    this.#buildLog = buildLog;
    this.#onLine = onLine;
    this.#baseUrl = baseUrl;
  }

  stepStarted(step: TrackedStep): void {
    this.#save(step);
    this.#stepLogs.set(
      step.nr,
      BuildLogWriter.openStepLog(this.#pool, this.#buildId, step.nr, this.#logOptions),
    );
  }

  stepFinished(step: TrackedStep): void {
    const log = this.#stepLogs.get(step.nr);
    this.#stepLogs.delete(step.nr);
    if (log) this.#enqueue(async () => void (await log.close()));
    this.#save(step);
  }

  logLine(line: string, step: TrackedStep | undefined): void {
    this.#buildLog.writeLine(line);
    if (step) this.#stepLogs.get(step.nr)?.writeLine(line);
    this.#onLine(this.#buildLog.bytes);
  }

  /** Waits for every pending write; throws the first database error, if any. */
  async flush(): Promise<void> {
    for (const [nr, log] of this.#stepLogs) {
      this.#stepLogs.delete(nr);
      this.#enqueue(async () => void (await log.close()));
    }
    await this.#chain;
    if (this.#error)
      throw this.#error instanceof Error ? this.#error : new Error('a build step write failed');
  }

  #save(step: TrackedStep): void {
    const row = {
      buildId: this.#buildId,
      stepNr: step.nr,
      type: step.kind === 'build' ? (0 as const) : (1 as const),
      drvPath: step.drvPath,
      system: step.drvPath === this.#topDrvPath ? this.#system : null,
      machine: step.machine,
      busy: step.stoppedAt === undefined,
      status: step.status ?? null,
      errorMessage: step.errorMessage === undefined ? null : this.#logOptions.redact(step.errorMessage),
      // The step's log is in build_logs (step_nr); log_path names only files of logs from before 0900.
      logPath: null,
      logStored: true,
      startTime: step.startedAt,
      stopTime: step.stoppedAt ?? null,
    };
    // A step's finish and its step_finished event commit together, after its log was closed (the
    // log's close is queued first on this chain).
    const options = { baseUrl: this.#baseUrl };
    this.#enqueue(() =>
      untilDatabaseAnswers(
        () =>
          row.busy
            ? recordBuildStep(this.#pool, row, options)
            : withTransaction(this.#pool, (tx) => recordBuildStep(tx, row, options)),
        this.#logOptions.retry,
      ),
    );
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#chain = this.#chain.then(fn).catch((e: unknown) => {
      this.#error ??= e;
    });
  }
}
