// Reading build logs: the one function every reader of a log builds on (the log API, the dashboard's
// live log, a cached build's log). Logs live in the database (build_logs, build_log_chunks: written
// by whichever queue runner ran the build, as it runs); logs from before migration 0900 are files
// named by builds.log_path / build_steps.log_path, read from this machine's disk (logs.log_dir).
// A cached build, which built nothing, has for its log the log of the build (or build step) that
// produced its outputs, when FC has it; `origin` then says whose log it is.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createZstdDecompress, zstdDecompressSync } from 'node:zlib';
import { NotFoundError } from '@fc/core';
import {
  BUILD_LOG_STEP,
  buildLogPath,
  buildStepLogPath,
  findLogHeader,
  findProducerLog,
  latestLoggedBuildOfDerivation,
  listLogChunks,
  type LogChunkRow,
  type LogHeaderRow,
  type LogLocation,
  type Pool,
} from '@fc/db';

/** Whose log a cached build's log is: the build (and step, 0 for its own log) that produced its outputs. */
export type LogOrigin = LogLocation;

/** What one read returns. */
export interface LogSlice {
  /** The log's bytes from `offset` (at most `maxBytes` of them). */
  readonly data: Buffer;
  /** Where these bytes start in the (uncompressed) log. */
  readonly offset: number;
  /** Where the next read starts: `offset + data.length`. */
  readonly nextOffset: number;
  /** True when nothing more will come: the log was closed (or its build finished) and this read reached its end. */
  readonly complete: boolean;
  /** Set when this is not the build's own log: a cached build's, the log of what produced its outputs. */
  readonly origin?: LogOrigin;
}

/** A whole log as a stream, and whose log it is when not the build's own. */
export interface OpenedLog {
  readonly stream: Readable;
  readonly origin?: LogOrigin;
}

export interface LogReadOptions {
  /** 0 or absent: the build's own log; n: the log of build step n. */
  readonly step?: number;
  /**
   * Byte offset to read from (default 0). Past the end: empty data. Negative: that many bytes before
   * the end as stored now (-65536: the last 64 KiB); the slice's `offset` says where it starts.
   */
  readonly offset?: number;
  /** At most this many bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Chunks fetched per query while a read fills up. */
const CHUNKS_PER_QUERY = 64;

export class BuildLogService {
  constructor(
    private readonly pool: Pool,
    /** logs.log_dir: where relative log_path files of logs from before migration 0900 are. */
    private readonly logDir: string,
  ) {}

  /**
   * Reads a build's (or a step's) log from a byte offset. NotFound when the build or step does not
   * exist or has no log (yet). A running build's log returns what is stored so far, with `complete`
   * false: read again from `nextOffset` for more. A cached build's log is its producer's (`origin`).
   */
  async read(buildId: number, options: LogReadOptions = {}): Promise<LogSlice> {
    const step = options.step ?? BUILD_LOG_STEP;
    const header = await findLogHeader(this.pool, buildId, step);
    const origin = await this.originOf(buildId, step, header);
    if (origin) {
      const slice = await this.readStored(
        origin,
        await findLogHeader(this.pool, origin.buildId, origin.stepNr),
        options,
      );
      return { ...slice, origin };
    }
    return this.readStored({ buildId, stepNr: step }, header, options);
  }

  /**
   * The whole log as it is stored now, as a stream (read slice by slice, so a large log is never held
   * whole), and whose log it is. NotFound is thrown before the stream starts.
   */
  async open(buildId: number, step: number = BUILD_LOG_STEP): Promise<OpenedLog> {
    const header = await findLogHeader(this.pool, buildId, step);
    const origin = await this.originOf(buildId, step, header);
    if (origin) return { stream: await this.streamStored(origin), origin };
    return { stream: await this.streamStored({ buildId, stepNr: step }, header) };
  }

  /** The whole log as a stream (open() without saying whose log it is). */
  async stream(buildId: number, step: number = BUILD_LOG_STEP): Promise<Readable> {
    return (await this.open(buildId, step)).stream;
  }

  /**
   * The log that stands for a build's own: its producer's, for a cached build whose own log is
   * missing or empty (only then is it looked up: a build with a log of its own costs nothing more).
   */
  private async originOf(
    buildId: number,
    step: number,
    header: LogHeaderRow | undefined,
  ): Promise<LogOrigin | undefined> {
    if (step !== BUILD_LOG_STEP || (header && header.size > 0)) return undefined;
    return findProducerLog(this.pool, buildId);
  }

  /** A slice of one stored log (in the database, else a file of before migration 0900). */
  private async readStored(
    log: LogLocation,
    header: LogHeaderRow | undefined,
    options: LogReadOptions,
  ): Promise<LogSlice> {
    const { buildId, stepNr: step } = log;
    const requested = options.offset ?? 0;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!header) return this.readFile(buildId, step, requested, maxBytes);
    const offset = requested < 0 ? Math.max(0, header.size + requested) : requested;
    // Only bytes the header counted: a chunk appended after it was read comes on the next read.
    const end = Math.min(header.size, offset + maxBytes);
    const parts: Buffer[] = [];
    let at = offset;
    while (at < end) {
      const chunks = await listLogChunks(this.pool, buildId, step, at, CHUNKS_PER_QUERY);
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        if (chunk.startOffset > at || at >= end) break; // a gap (a failed write): stop before it
        const bytes = decodeChunk(chunk);
        const slice = bytes.subarray(at - chunk.startOffset, Math.min(bytes.length, end - chunk.startOffset));
        parts.push(slice);
        at += slice.length;
      }
      if (chunks.length < CHUNKS_PER_QUERY) break;
    }
    const closed = header.finished || header.buildFinished;
    return {
      data: Buffer.concat(parts),
      offset,
      nextOffset: at,
      complete: closed && at >= header.size,
    };
  }

  /** One stored log as a stream, read slice by slice. */
  private async streamStored(log: LogLocation, known?: LogHeaderRow): Promise<Readable> {
    const header = known ?? (await findLogHeader(this.pool, log.buildId, log.stepNr));
    if (!header) return decompressedFile(await this.filePath(log.buildId, log.stepNr));
    const first = await this.readStored(log, header, {});
    const read = async (offset: number) =>
      this.readStored(log, await findLogHeader(this.pool, log.buildId, log.stepNr), { offset });
    async function* slices(): AsyncGenerator<Buffer> {
      let slice = first;
      for (;;) {
        if (slice.data.length > 0) yield slice.data;
        if (slice.complete || slice.data.length === 0) return;
        slice = await read(slice.nextOffset);
      }
    }
    return Readable.from(slices(), { objectMode: false });
  }

  /** The log of the latest build of a derivation (`/nix-cache/log/<drv>`); NotFound when none has one. */
  async streamOfDerivation(drvPath: string): Promise<Readable> {
    const id = await latestLoggedBuildOfDerivation(this.pool, drvPath);
    if (id === undefined) throw new NotFoundError(`no build of ${drvPath} has a log`);
    return this.stream(id);
  }

  /** A slice of a log kept as a file (before migration 0900); such a log is complete. */
  private async readFile(
    buildId: number,
    step: number,
    requested: number,
    maxBytes: number,
  ): Promise<LogSlice> {
    const file = decompressedFile(await this.filePath(buildId, step));
    if (requested < 0) {
      // From the end: the whole file is read, keeping only its last bytes.
      let kept = Buffer.alloc(0);
      let total = 0;
      for await (const piece of file) {
        const buf = piece as Buffer;
        total += buf.length;
        kept = Buffer.concat([kept, buf]).subarray(-Math.min(-requested, total));
      }
      const offset = total - kept.length;
      const data = kept.subarray(0, maxBytes);
      return { data, offset, nextOffset: offset + data.length, complete: data.length === kept.length };
    }
    // One byte past the slice tells whether the file goes on.
    const want = maxBytes + 1;
    const parts: Buffer[] = [];
    let at = 0;
    let taken = 0;
    for await (const piece of file) {
      const buf = piece as Buffer;
      const from = Math.max(0, requested - at);
      at += buf.length;
      if (from >= buf.length) continue;
      const take = buf.subarray(from, from + (want - taken));
      parts.push(take);
      taken += take.length;
      if (taken >= want) break;
    }
    const data = Buffer.concat(parts).subarray(0, maxBytes);
    return { data, offset: requested, nextOffset: requested + data.length, complete: taken < want };
  }

  /** Where a log kept as a file is, decompressed by its extension (.gz, .zst, .br); NotFound if none. */
  private async filePath(buildId: number, step: number): Promise<string> {
    const row =
      step === BUILD_LOG_STEP
        ? await buildLogPath(this.pool, buildId)
        : await buildStepLogPath(this.pool, buildId, step);
    const what = step === BUILD_LOG_STEP ? `build ${buildId}` : `step ${step} of build ${buildId}`;
    if (!row) throw new NotFoundError(`${what} does not exist`);
    if (!row.logPath) throw new NotFoundError(`${what} has no log yet`);
    const path = isAbsolute(row.logPath) ? row.logPath : join(this.logDir, row.logPath);
    try {
      await access(path);
    } catch {
      throw new NotFoundError(`the log of ${what} is no longer stored`);
    }
    return path;
  }
}

function decodeChunk(chunk: LogChunkRow): Buffer {
  return chunk.encoding === 'zstd' ? zstdDecompressSync(chunk.data) : chunk.data;
}

function decompressedFile(path: string): Readable {
  const file = createReadStream(path);
  if (path.endsWith('.gz')) return file.pipe(createGunzip());
  if (path.endsWith('.zst')) return file.pipe(createZstdDecompress());
  if (path.endsWith('.br')) return file.pipe(createBrotliDecompress());
  return file;
}
