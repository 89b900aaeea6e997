// PostgreSQL SQLSTATE codes the query layer reacts to.
export const PgErrorCode = {
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
  CheckViolation: '23514',
  NotNullViolation: '23502',
  UndefinedTable: '42P01',
  InvalidCatalogName: '3D000',
  QueryCanceled: '57014',
  AdminShutdown: '57P01',
  CannotConnectNow: '57P03',
} as const;

export function pgErrorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

/** What pg, pg-pool and pg-boss say, without a code, when a connection broke or could not be made. */
const LOST_CONNECTION_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'connection error and is not queryable',
    'LISTEN/NOTIFY connection ended',
  ].join('|'),
  'i',
);

/** True for errors that mean the database cannot be reached, as opposed to a bad query. */
export function isConnectionError(e: unknown): boolean {
  const code = pgErrorCode(e);
  if (
    code &&
    (code.startsWith('08') || code === PgErrorCode.AdminShutdown || code === PgErrorCode.CannotConnectNow)
  )
    return true;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    LOST_CONNECTION_MESSAGE.test(messageOf(e))
  );
}

/** An error's message; pg-boss reports a worker's errors as plain objects copied from the Error. */
function messageOf(e: unknown): string {
  return e && typeof e === 'object' && 'message' in e && typeof e.message === 'string' ? e.message : '';
}
