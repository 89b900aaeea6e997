// Build steps as the queue runner records them: one row a derivation built (or path substituted).
import { execute, type Queryable } from '@fc/db';

export interface BuildStepInput {
  readonly buildId: number;
  readonly stepNr: number;
  /** 0 build, 1 substitution. */
  readonly type: 0 | 1;
  readonly drvPath: string;
  readonly system: string | null;
  readonly machine: string;
  readonly busy: boolean;
  readonly status: number | null;
  readonly errorMessage: string | null;
  /** The log file of a step of before migration 0900; null now (logs are in build_logs). */
  readonly logPath: string | null;
  /** Its log is stored in build_logs (announced on step_finished by its URL). */
  readonly logStored?: boolean;
  readonly startTime: Date;
  readonly stopTime: Date | null;
  /** The build whose step failed, for a step not run because of it (a cached failure). */
  readonly propagatedFrom?: number | null;
}

/** Inserts a step or updates it in place (start, then finish). */
export async function upsertBuildStep(db: Queryable, s: BuildStepInput): Promise<void> {
  await execute(
    db,
    `INSERT INTO build_steps (build_id, step_nr, type, drv_path, system, machine, busy, status, error_message,
                              log_path, start_time, stop_time, propagated_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (build_id, step_nr) DO UPDATE SET busy = EXCLUDED.busy, status = EXCLUDED.status,
       error_message = EXCLUDED.error_message, stop_time = EXCLUDED.stop_time, log_path = EXCLUDED.log_path`,
    [
      s.buildId,
      s.stepNr,
      s.type,
      s.drvPath,
      s.system,
      s.machine,
      s.busy,
      s.status,
      s.errorMessage,
      s.logPath,
      s.startTime,
      s.stopTime,
      s.propagatedFrom ?? null,
    ],
  );
}

/** Ends the steps of a build still marked busy (the build was cancelled or its runner died). */
export async function finishBusySteps(
  db: Queryable,
  buildId: number,
  status: number,
  errorMessage: string,
): Promise<void> {
  await execute(
    db,
    `UPDATE build_steps SET busy = false, status = $2, error_message = $3, stop_time = coalesce(stop_time, now())
     WHERE build_id = $1 AND busy`,
    [buildId, status, errorMessage],
  );
}
