// Constraint violations the services turn into domain errors.
import { ConflictError, ValidationError } from '@fc/core';
import { PgErrorCode, pgErrorCode } from '@fc/db';

/** Runs fn; a unique violation becomes a ConflictError with `conflict`, a check violation a ValidationError. */
export async function mapConstraintErrors<T>(fn: () => Promise<T>, conflict: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = pgErrorCode(e);
    if (code === PgErrorCode.UniqueViolation) throw new ConflictError(conflict);
    if (code === PgErrorCode.CheckViolation) {
      const constraint = (e as { constraint?: string }).constraint ?? 'a check';
      throw new ValidationError(`a value violates ${constraint}`, { constraint });
    }
    throw e;
  }
}
