// Reading a started daemon's structured log (JSON lines on stderr) while it runs.
import type { ResultPromise } from 'execa';

export type LogRecord = Readonly<Record<string, unknown>> & {
  readonly level: string;
  readonly message: string;
};

/** The first log record (from now on) that `match` accepts; fails after `timeoutMs` or when the daemon exits. */
export function waitForLogRecord(
  daemon: ResultPromise,
  match: (r: LogRecord) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<LogRecord> {
  const stderr = daemon.stderr;
  if (!stderr) return Promise.reject(new Error('the daemon has no stderr pipe'));
  return new Promise((resolve, reject) => {
    let pending = '';
    const finish = (error: Error | undefined, record?: LogRecord) => {
      clearTimeout(timer);
      stderr.off('data', onData);
      stderr.off('end', onEnd);
      if (error) reject(error);
      else resolve(record!);
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let record: LogRecord;
        try {
          record = JSON.parse(line) as LogRecord;
        } catch {
          continue;
        }
        if (match(record)) return finish(undefined, record);
      }
    };
    const onEnd = () => finish(new Error(`the daemon exited before logging ${what}`));
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for the daemon to log ${what}`)),
      timeoutMs,
    );
    stderr.on('data', onData);
    stderr.on('end', onEnd);
  });
}
