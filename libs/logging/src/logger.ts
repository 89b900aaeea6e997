// Structured JSON logs (winston). Scope with logger.child({ component, jobId, buildId, drvPath, requestId }).
import winston from 'winston';

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** The daemon's name: fc-server, fc-evaluator, fc-queue-runner, fc-migrate. */
  readonly service: string;
  /** Human-readable lines instead of JSON (CLIs on a terminal). */
  readonly pretty?: boolean;
  /** Where lines go; default stderr, so stdout stays free for command output. */
  readonly stream?: NodeJS.WritableStream;
  readonly silent?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const format = options.pretty
    ? winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf(({ level, message, timestamp, service: _s, ...rest }) => {
          const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${extra}`;
        }),
      )
    : winston.format.combine(
        winston.format.timestamp(),
        winston.format.errors({ stack: true }),
        winston.format.json(),
      );
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format,
    silent: options.silent ?? false,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
}

/** A logger that drops everything (library defaults, tests that assert on behaviour, not logs). */
export function createSilentLogger(): Logger {
  return createLogger({ service: 'silent', silent: true });
}
