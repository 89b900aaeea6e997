// Follows a build's log as it grows: the text from a byte offset on, in complete lines while the build
// runs, then the rest and the build's final state. Built on the one log read function
// (BuildLogService.read), so it follows a build whichever machine runs it, and a cached build's log is
// its producer's (said once, before its text).
import { NotFoundError } from '@fc/core';
import type { BuildDetailRow } from '@fc/db';
import type { LogOrigin, LogReadOptions, LogSlice } from './build-log.service';

export type LogFollowEvent =
  /** The log followed is not the build's own but this one (a cached build's: its producer's). */
  | { readonly kind: 'origin'; readonly origin: LogOrigin }
  | { readonly kind: 'log'; readonly text: string; readonly offset: number }
  | { readonly kind: 'end'; readonly build: BuildDetailRow };

export interface LogSource {
  /** The build as the API shows it (NotFoundError when it does not exist). */
  get(id: number): Promise<BuildDetailRow>;
  /** A slice of the stored log from an offset (NotFoundError while there is none): BuildLogService.read. */
  read(id: number, options: LogReadOptions): Promise<LogSlice>;
}

/** The source the API and the pages follow logs from: builds from BuildService, logs from BuildLogService. */
export function logSource(
  builds: { get(id: number): Promise<BuildDetailRow> },
  logs: { read(id: number, options: LogReadOptions): Promise<LogSlice> },
): LogSource {
  return { get: (id) => builds.get(id), read: (id, options) => logs.read(id, options) };
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

/** The log's bytes from `offset` on, as stored now (empty while the build has no log yet), and whose. */
export async function readLogFrom(
  source: LogSource,
  id: number,
  offset: number,
): Promise<{ bytes: Buffer; origin?: LogOrigin }> {
  const parts: Buffer[] = [];
  let at = offset;
  let origin: LogOrigin | undefined;
  for (;;) {
    let slice: LogSlice;
    try {
      slice = await source.read(id, { offset: at });
    } catch (e) {
      if (e instanceof NotFoundError) break;
      throw e;
    }
    origin ??= slice.origin;
    parts.push(slice.data);
    at = slice.nextOffset;
    if (slice.complete || slice.data.length === 0) break;
  }
  const bytes = Buffer.concat(parts);
  return origin ? { bytes, origin } : { bytes };
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
  let originSaid = false;
  // The first read tells a missing build (404 before anything is streamed) from an existing one.
  let build = await source.get(id);
  for (;;) {
    const finished = build.finished;
    const { bytes, origin } = await readLogFrom(source, id, offset);
    if (origin && !originSaid) {
      originSaid = true;
      yield { kind: 'origin', origin };
    }
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
  /** Set when the log is not the build's own (a cached build's: its producer's). */
  readonly origin?: LogOrigin;
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
  let slice: LogSlice;
  try {
    slice = await source.read(id, { offset: -maxBytes, maxBytes });
  } catch (e) {
    if (e instanceof NotFoundError) return { text: '', offset: 0, truncated: false };
    throw e;
  }
  const buf = slice.data;
  const base = slice.offset; // the absolute offset buf starts at
  // A tail that leaves earlier text out starts at a line, never inside one (or a UTF-8 character).
  const start = base > 0 ? buf.indexOf(0x0a) + 1 || buf.length : 0;
  const end = wholeLines ? completeLinesLength(buf) : buf.length;
  const from = Math.min(start, end);
  return {
    text: buf.subarray(from, end).toString('utf8'),
    offset: base + end,
    truncated: base + from > 0,
    ...(slice.origin ? { origin: slice.origin } : {}),
  };
}
