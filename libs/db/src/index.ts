export {
  createPool,
  withTransaction,
  type Pool,
  type PoolClient,
  type PoolOptions,
  type Queryable,
} from './pool';
export { queryRows, queryOne, queryMaybeOne, execute, camelizeRow } from './sql';
export { PgErrorCode, pgErrorCode, isConnectionError } from './pg-error-codes';
export {
  readMigrationFiles,
  createMigrationFile,
  checksumOf,
  type MigrationFile,
} from './migrations/migration-files';
export {
  migrateUp,
  migrationStatus,
  validateMigrations,
  assertSchemaCurrent,
  SchemaNotReadyError,
  MIGRATIONS_TABLE,
  type MigrationProblem,
  type MigrationStatus,
  type AppliedMigration,
} from './migrations/migrator';
export {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
} from './embedded-postgres';
export { openDatabase, redactUrl, DatabaseUnavailableError, type DatabaseSettings } from './open-database';
export {
  buildQueueRow,
  lockBuildForQueue,
  setBuildQueueJob,
  raiseGlobalPriority,
  evaluationBuildIdsWithStatus,
  type BuildQueueRow,
} from './builds/build-queue-queries';
// API read/write queries (fc-server).
export {
  page,
  cappedCount,
  WhereBuilder,
  type CappedCount,
  type CursorPage,
  type CursorPageRequest,
  type Page,
  type PageRequest,
} from './pagination';
export * from './projects/project-queries';
export * from './projects/declarative-queries';
export * from './jobsets/jobset-queries';
export * from './jobsets/jobset-secret-queries';
export * from './evaluations/evaluation-api-queries';
export * from './evaluations/evaluation-page-json-queries';
export * from './evaluations/evaluation-comparison-queries';
export * from './builds/build-list-queries';
export * from './builds/build-api-queries';
export * from './builds/build-page-json-queries';
export * from './builds/build-recent-queries';
export * from './builds/queue-state-queries';
export * from './api-keys/api-key-queries';
export * from './users/user-queries';
export * from './users/session-queries';
export * from './channels/channel-queries';
export * from './starred-jobs/starred-job-queries';
export * from './remote-builders/remote-builder-queries';
export * from './search/search-queries';
// Queue runner queries (fc-queue-runner).
export * from './builds/build-run-queries';
export * from './builds/build-log-queries';
export * from './builds/gc-root-queries';
// Evaluator queries (fc-evaluator).
export * from './evaluations/jobset-schedule-queries';
export * from './evaluations/input-build-queries';
export * from './evaluations/evaluation-queries';
export * from './evaluations/ended-evaluation-queries';
export * from './evaluations/evaluation-record-queries';
export * from './jobsets/webhook-jobset-queries';
// Build notifications (fc-queue-runner's notify-build consumer).
export * from './notifications/notification-delivery-queries';
export * from './notifications/dynamic-run-command-queries';
export * from './notifications/failed-delivery-queries';
export * from './metrics/row-count-queries';
export * from './builds/build-queue-page-queries';
export * from './builds/job-history-queries';
export * from './webhooks/webhook-delivery-queries';
export * from './pull-requests/pull-request-queries';
export * from './pull-requests/pull-request-status-queries';
export * from './builds/jobset-share-queries';
export {
  watchDatabaseReachability,
  afterProbe,
  answeringFor,
  REACHABLE_AT_START,
  type DatabaseReachability,
  type OutageLog,
  type ReachabilityState,
} from './outage/reachability';
export {
  untilDatabaseAnswers,
  retryDelayMs,
  type UntilAnswersOptions,
} from './outage/until-database-answers';
export {
  probePasswordRequired,
  passwordProbeWarning,
  tcpServerOf,
  type PasswordProbe,
} from './password-probe';
