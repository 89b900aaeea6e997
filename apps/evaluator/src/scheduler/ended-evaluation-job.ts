// Whether an evaluation's evaluate-jobset job has ended for good while the evaluation is still
// marked running (every retry failed, the job was cancelled or is gone): then the evaluation is
// failed with this message, shown on it and on its jobset.

/** What the scheduler reads of the job (pg-boss getJobById; null when it no longer exists). */
export interface EvaluationJobState {
  readonly state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  readonly retryCount: number;
  readonly output: unknown;
}

function errorOf(output: unknown): string {
  if (typeof output === 'object' && output !== null) {
    const message = (output as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  return 'no error message';
}

/** The error to fail the evaluation with, or undefined while its job may still finish it. */
export function endedEvaluationError(job: EvaluationJobState | null): string | undefined {
  if (job === null) return 'the evaluation was abandoned: its evaluate-jobset job no longer exists';
  switch (job.state) {
    case 'created':
    case 'retry':
    case 'active':
      return undefined;
    case 'failed': {
      const attempts = job.retryCount + 1;
      return `the evaluation failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${errorOf(job.output)}`;
    }
    case 'cancelled':
      return 'the evaluation was abandoned: its evaluate-jobset job was cancelled';
    case 'completed':
      return 'the evaluation was abandoned: its evaluate-jobset job ended without finishing it';
  }
}
