export { createLogger, createSilentLogger, type Logger, type LogLevel, type LoggerOptions } from './logger';
export { runDaemon, type RunningDaemon } from './run-daemon';
