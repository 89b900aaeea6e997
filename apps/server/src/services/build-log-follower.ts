// Follows a build's log as it grows: the text from a byte offset on, in complete lines while the build
// runs, then the rest and the build's final state. Built on one storage function (BuildService.log), so
// where logs live (files today, the database tomorrow) can change underneath it.
import type { Readable } from 'node:stream';
import { NotFoundError } from '@fc/core';
import type { BuildDetailRow } from '@fc/db';

export type LogFollowEvent =
  | { readonly kind: 'log'; readonly text: string; readonly offset: number }
  | { readonly kind: 'end'; readonly build: BuildDetailRow };

export interface LogSource {
  /** The build as the API shows it (NotFoundError when it does not exist). */
  get(id: number): Promise<BuildDetailRow>;
  /** The whole stored log, decompressed (NotFoundError while there is none). */
  log(id: number): Promise<Readable>;
}

export interface FollowOptions {
  /** How often a running build's log and state are read again (ms). */
  readonly pollMs: number;
  /** Ends the follow (the client went away). */
  readonly signal?: AbortSignal;
}

/** The length of `buf` up to and including its last newline (0 when it holds none). */
export function completeLinesLength(buf: Buffer): number {
  return buf.lastIndexOf(0x0a) + 1;
}

/** A decompressor reading a log that is still being written reaches its end mid-frame. */
function isTruncatedStream(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'Z_BUF_ERROR' || code === 'ERR_ZSTD_INVALID_INPUT' || /unexpected end/i.test(String(e));
}

/**
 * The log's bytes from `offset` on: empty while the build has no log yet. A log being written may
 * end in an unfinished compressed frame; what was decompressed before it is returned.
 */
export async function readLogFrom(source: LogSource, id: number, offset: number): Promise<Buffer> {
  let stream: Readable;
  try {
    stream = await source.log(id);
  } catch (e) {
    if (e instanceof NotFoundError) return Buffer.alloc(0);
    throw e;
  }
  const chunks: Buffer[] = [];
  let seen = 0;
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      const start = Math.max(0, offset - seen);
      seen += buf.length;
      if (start < buf.length) chunks.push(start === 0 ? buf : buf.subarray(start));
    }
  } catch (e) {
    if (!isTruncatedStream(e)) throw e;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The log of build `id` from byte `from` on, as it grows, then one `end` event with the finished
 * build. A finished build gives its whole remaining log at once, then the end. While the build runs
 * only complete lines are sent, so a chunk never splits a line or a UTF-8 character.
 */
export async function* followBuildLog(
  source: LogSource,
  id: number,
  from: number,
  options: FollowOptions,
): AsyncGenerator<LogFollowEvent> {
  let offset = from;
  // The first read tells a missing build (404 before anything is streamed) from an existing one.
  let build = await source.get(id);
  for (;;) {
    const finished = build.finished;
    const bytes = await readLogFrom(source, id, offset);
    const take = finished ? bytes.length : completeLinesLength(bytes);
    if (take > 0) {
      offset += take;
      yield { kind: 'log', text: bytes.subarray(0, take).toString('utf8'), offset };
    }
    if (finished) {
      yield { kind: 'end', build };
      return;
    }
    await sleep(options.pollMs, options.signal);
    if (options.signal?.aborted) return;
    build = await source.get(id);
  }
}

export interface LogTail {
  readonly text: string;
  /** The byte offset the tail ends at: where a live follower continues. */
  readonly offset: number;
  /** Whether earlier lines were left out. */
  readonly truncated: boolean;
}

/**
 * The last `maxBytes` (about) of the log, starting at a line; with `wholeLines` (a running build)
 * it ends after the last complete line, so a follower from `offset` repeats and splits nothing.
 */
export async function logTail(
  source: LogSource,
  id: number,
  maxBytes: number,
  wholeLines: boolean,
): Promise<LogTail> {
  let stream: Readable;
  try {
    stream = await source.log(id);
  } catch (e) {
    if (e instanceof NotFoundError) return { text: '', offset: 0, truncated: false };
    throw e;
  }
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      kept.push(buf);
      keptBytes += buf.length;
      total += buf.length;
      while (kept.length > 1 && keptBytes - kept[0]!.length >= maxBytes) keptBytes -= kept.shift()!.length;
    }
  } catch (e) {
    if (!isTruncatedStream(e)) throw e;
  } finally {
    stream.destroy();
  }
  const buf = Buffer.concat(kept);
  const base = total - keptBytes; // the absolute offset buf starts at
  let start = Math.max(0, buf.length - maxBytes);
  // A tail that leaves earlier text out starts at a line, never inside one (or a UTF-8 character).
  if (base + start > 0) start = buf.indexOf(0x0a, start) + 1 || buf.length;
  const end = wholeLines ? completeLinesLength(buf) : buf.length;
  const from = Math.min(start, end);
  return { text: buf.subarray(from, end).toString('utf8'), offset: base + end, truncated: base + from > 0 };
}
