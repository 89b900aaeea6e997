// Records what the step tracker sees: each step's row (inserted when it starts, updated when it
// ends), its own log file, and every line in the build's log. Database writes run in order on one
// chain, off the log-reading path.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { recordBuildStep } from '@fc/builds';
import { withTransaction, type Pool } from '@fc/db';
import type { StepTrackerListener, TrackedStep } from '@fc/nix';
import { BuildLogWriter, type LogLayout } from './build-log-writer';

export class BuildStepRecorder implements StepTrackerListener {
  readonly #pool: Pool;
  readonly #buildId: number;
  readonly #topDrvPath: string;
  readonly #system: string;
  readonly #buildLog: BuildLogWriter;
  readonly #layout: LogLayout;
  readonly #onLine: (bytes: number) => void;
  readonly #stepLogs = new Map<number, BuildLogWriter>();
  #chain: Promise<void> = Promise.resolve();
  #error: unknown;

  private constructor(
    pool: Pool,
    build: { id: number; drvPath: string; system: string },
    buildLog: BuildLogWriter,
    layout: LogLayout,
    onLine: (bytes: number) => void,
  ) {
    this.#pool = pool;
    this.#buildId = build.id;
    this.#topDrvPath = build.drvPath;
    this.#system = build.system;
    this.#buildLog = buildLog;
    this.#layout = layout;
    this.#onLine = onLine;
  }

  static async open(
    pool: Pool,
    build: { id: number; drvPath: string; system: string },
    buildLog: BuildLogWriter,
    layout: LogLayout,
    onLine: (bytes: number) => void,
  ): Promise<BuildStepRecorder> {
    await mkdir(dirname(layout.stepLog(build.id, 1)), { recursive: true });
    return new BuildStepRecorder(pool, build, buildLog, layout, onLine);
  }

  stepStarted(step: TrackedStep): void {
    const path = this.#layout.stepLog(this.#buildId, step.nr);
    this.#stepLogs.set(step.nr, new BuildLogWriter(path, this.#layout.compress));
    this.#save(step, path);
  }

  stepFinished(step: TrackedStep): void {
    const log = this.#stepLogs.get(step.nr);
    this.#stepLogs.delete(step.nr);
    if (log) this.#enqueue(async () => void (await log.close()));
    this.#save(step, this.#layout.stepLog(this.#buildId, step.nr));
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

  #save(step: TrackedStep, logPath: string): void {
    const row = {
      buildId: this.#buildId,
      stepNr: step.nr,
      type: step.kind === 'build' ? (0 as const) : (1 as const),
      drvPath: step.drvPath,
      system: step.drvPath === this.#topDrvPath ? this.#system : null,
      machine: step.machine,
      busy: step.stoppedAt === undefined,
      status: step.status ?? null,
      errorMessage: step.errorMessage ?? null,
      logPath,
      startTime: step.startedAt,
      stopTime: step.stoppedAt ?? null,
    };
    // A step's finish and its step_finished event commit together.
    this.#enqueue(() =>
      row.busy
        ? recordBuildStep(this.#pool, row)
        : withTransaction(this.#pool, (tx) => recordBuildStep(tx, row)),
    );
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#chain = this.#chain.then(fn).catch((e: unknown) => {
      this.#error ??= e;
    });
  }
}
