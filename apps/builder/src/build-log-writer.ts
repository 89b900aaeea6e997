// A build's (or a step's) log, written line by line while Nix runs, into the database (build_logs and
// build_log_chunks, migration 0900): fc-server reads it whichever machine runs this queue runner, and
// reads a running build's log as it grows. Lines are buffered and appended as one chunk a second (or
// every CHUNK_BYTES), zstd-compressed when logs.compress is set. Appends run in order on one chain,
// each only at the log's end and only while this writer owns the log (appendLogChunk): an attempt
// whose log another attempt started again stops writing and says so when it closes. While the
// database does not answer, the append under way is retried and the lines that follow wait in the
// buffer, to be appended as one chunk once it answers again: an outage loses no line. Each line is
// stored with the jobset's known secrets hidden (README, "Security").
import { hostname } from 'node:os';
import { zstdCompressSync } from 'node:zlib';
import type { Redact } from '@fc/core';
import {
  BUILD_LOG_STEP,
  appendLogChunk,
  findLogHeader,
  finishLog,
  startBuildLogs,
  startStepLog,
  untilDatabaseAnswers,
  type Pool,
  type UntilAnswersOptions,
} from '@fc/db';

const FLUSH_MS = 1000;
/** A chunk is appended at once when this many bytes are waiting. */
const CHUNK_BYTES = 256 * 1024;

/** How a log is written. */
export interface LogWriterOptions {
  /** logs.compress: chunks are stored zstd-compressed. */
  readonly compress: boolean;
  /** How long a write waits for the database to answer (until its signal aborts). */
  readonly retry: UntilAnswersOptions;
  /** Applied to each line before it is stored: the jobset's secrets hidden. */
  readonly redact: Redact;
}

export class BuildLogWriter {
  readonly #pool: Pool;
  readonly #buildId: number;
  readonly #stepNr: number;
  readonly #compress: boolean;
  readonly #writer = logWriterName();
  /** Uncompressed bytes written so far (buffered or stored). */
  #bytes = 0;
  /** Uncompressed bytes already handed to an append. */
  #stored = 0;
  #buffer: string[] = [];
  #bufferBytes = 0;
  #chain: Promise<void> = Promise.resolve();
  /** Writes queued on the chain and not yet done. */
  #pending = 0;
  #error: unknown;
  #closed = false;
  readonly #retry: UntilAnswersOptions;
  readonly #redact: Redact;
  readonly #timer: NodeJS.Timeout;

  private constructor(pool: Pool, buildId: number, stepNr: number, options: LogWriterOptions) {
    this.#pool = pool;
    this.#buildId = buildId;
    this.#stepNr = stepNr;
    this.#compress = options.compress;
    this.#retry = options.retry;
    this.#redact = options.redact;
    this.#timer = setInterval(() => this.#flush(false), FLUSH_MS);
    this.#timer.unref();
  }

  /** Starts a build attempt's log: what an earlier attempt logged (build and step logs) is dropped. */
  static async openBuildLog(pool: Pool, buildId: number, options: LogWriterOptions): Promise<BuildLogWriter> {
    const writer = new BuildLogWriter(pool, buildId, BUILD_LOG_STEP, options);
    try {
      await startBuildLogs(pool, buildId, writer.#writer);
    } catch (e) {
      clearInterval(writer.#timer);
      throw e;
    }
    return writer;
  }

  /**
   * A step's log. Its header row is written first on the writer's chain (the step tracker's callbacks
   * are synchronous), so every chunk follows it.
   */
  static openStepLog(pool: Pool, buildId: number, stepNr: number, options: LogWriterOptions): BuildLogWriter {
    const writer = new BuildLogWriter(pool, buildId, stepNr, options);
    writer.#enqueue(() => startStepLog(pool, buildId, stepNr, writer.#writer));
    return writer;
  }

  /** Uncompressed bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  writeLine(line: string): void {
    if (this.#closed) return;
    const chunk = `${this.#redact(line)}\n`;
    const size = Buffer.byteLength(chunk);
    this.#bytes += size;
    this.#buffer.push(chunk);
    this.#bufferBytes += size;
    if (this.#bufferBytes >= CHUNK_BYTES) this.#flush(false);
  }

  /** Appends what is buffered and closes the log; resolves once stored. Returns the uncompressed size. */
  async close(): Promise<number> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#timer);
      this.#flush(true);
    }
    await this.#chain;
    if (this.#error) throw this.#error instanceof Error ? this.#error : new Error('a log write failed');
    return this.#bytes;
  }

  #flush(finish: boolean): void {
    // Behind a write still under way (the database is slow or away) the lines wait, to go as one chunk.
    if (!finish && this.#pending > 0) return;
    if (this.#bufferBytes === 0) {
      if (finish) this.#enqueue(() => finishLog(this.#pool, this.#buildId, this.#stepNr));
      return;
    }
    const text = Buffer.from(this.#buffer.join(''));
    const startOffset = this.#stored;
    this.#stored += text.length;
    this.#buffer = [];
    this.#bufferBytes = 0;
    const chunk = {
      buildId: this.#buildId,
      stepNr: this.#stepNr,
      writer: this.#writer,
      startOffset,
      length: text.length,
      encoding: this.#compress ? ('zstd' as const) : ('identity' as const),
      data: this.#compress ? zstdCompressSync(text) : text,
    };
    let attempts = 0;
    this.#enqueue(async () => {
      attempts++;
      if (await appendLogChunk(this.#pool, chunk, finish)) return;
      // A retry of an append whose connection broke as it committed: the first try stored it.
      if (attempts > 1 && (await this.#endsAt(startOffset + text.length))) return;
      const what = this.#stepNr === BUILD_LOG_STEP ? 'the log' : `the log of step ${this.#stepNr}`;
      throw new Error(
        `${what} of build ${this.#buildId} was started again by another attempt (or closed): ` +
          `bytes from offset ${startOffset} on were not stored`,
      );
    });
  }

  /** Whether the log is still this writer's and ends at `offset`. */
  async #endsAt(offset: number): Promise<boolean> {
    const header = await findLogHeader(this.#pool, this.#buildId, this.#stepNr);
    return header?.writer === this.#writer && header.size === offset;
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#pending++;
    this.#chain = this.#chain
      .then(async () => {
        // After a failed write the log has a gap: nothing later is stored (close() reports the error).
        if (this.#error === undefined) await untilDatabaseAnswers(fn, this.#retry);
      })
      .catch((e: unknown) => {
        this.#error ??= e;
      })
      .finally(() => this.#pending--);
  }
}

/** Names the queue runner writing a log (build_logs.writer): its host and process. */
export function logWriterName(): string {
  return `${hostname()}:${process.pid}`;
}
