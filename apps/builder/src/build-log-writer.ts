// A build's (or a step's) log file, written line by line while Nix runs. With compression the file is
// a zstd stream flushed every second, so a reader (the API's log endpoint) can follow it as it grows.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { constants, createZstdCompress, type ZstdCompress } from 'node:zlib';

const FLUSH_MS = 1000;

export class BuildLogWriter {
  readonly path: string;
  #bytes = 0;
  #dirty = false;
  readonly #file: WriteStream;
  readonly #zstd: ZstdCompress | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #finished: Promise<void>;

  /** Opens `path` for writing; its directory must exist (see `open`). */
  constructor(path: string, compress: boolean) {
    this.path = path;
    this.#file = createWriteStream(path);
    this.#finished = new Promise((resolve, reject) => {
      this.#file.once('close', resolve);
      this.#file.once('error', reject);
    });
    if (compress) {
      this.#zstd = createZstdCompress();
      this.#zstd.pipe(this.#file);
      this.#timer = setInterval(() => {
        if (!this.#dirty) return;
        this.#dirty = false;
        this.#zstd?.flush(constants.ZSTD_e_flush);
      }, FLUSH_MS);
      this.#timer.unref();
    }
  }

  static async open(path: string, compress: boolean): Promise<BuildLogWriter> {
    await mkdir(dirname(path), { recursive: true });
    return new BuildLogWriter(path, compress);
  }

  /** Uncompressed bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  writeLine(line: string): void {
    const chunk = `${line}\n`;
    this.#bytes += Buffer.byteLength(chunk);
    this.#dirty = true;
    if (this.#zstd) this.#zstd.write(chunk);
    else this.#file.write(chunk);
  }

  /** Ends the stream; resolves once everything is on disk. Returns the uncompressed size. */
  async close(): Promise<number> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#zstd) this.#zstd.end();
    else this.#file.end();
    await this.#finished;
    return this.#bytes;
  }
}

/** Where logs go: `<log_dir>/builds/<id>.log` and `<log_dir>/builds/<id>/step-<nr>.log` (`.zst` compressed). */
export class LogLayout {
  readonly #dir: string;
  readonly #compress: boolean;

  constructor(logDir: string, compress: boolean) {
    this.#dir = logDir;
    this.#compress = compress;
  }

  get compress(): boolean {
    return this.#compress;
  }

  buildLog(buildId: number): string {
    return join(this.#dir, 'builds', `${buildId}.log${this.#compress ? '.zst' : ''}`);
  }

  stepLog(buildId: number, stepNr: number): string {
    return join(this.#dir, 'builds', String(buildId), `step-${stepNr}.log${this.#compress ? '.zst' : ''}`);
  }
}
