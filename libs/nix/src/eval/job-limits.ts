// What a job may be for FC to record it. Nix takes any attribute name and any `system` string, but
// FC indexes both (builds by job and by system, evaluation errors by job), and PostgreSQL refuses
// an index entry past about 2.7 kB: one such job failed the whole evaluation, after every retry.
// So a job whose name or system is longer than these limits is not recorded: it is a job error
// of its own, under a shortened name, and the rest of the evaluation is recorded.
import { createHash } from 'node:crypto';
import type { EvaluatedJob } from './eval-types';

/** Bytes of a job name FC records (nixpkgs' longest are under 200). */
export const MAX_JOB_NAME_BYTES = 1024;
/** Bytes of a job's system ("x86_64-linux"). */
export const MAX_SYSTEM_BYTES = 255;
const SHOWN_CHARACTERS = 200;

/** Why FC does not record `job`, or undefined. */
export function jobLimitProblem(job: Pick<EvaluatedJob, 'attr' | 'system'>): string | undefined {
  const name = Buffer.byteLength(job.attr, 'utf8');
  if (name > MAX_JOB_NAME_BYTES) {
    return `the job name is ${name} bytes long; FC records job names of at most ${MAX_JOB_NAME_BYTES} bytes`;
  }
  const system = Buffer.byteLength(job.system, 'utf8');
  if (system > MAX_SYSTEM_BYTES) {
    return `its system is ${system} bytes long; FC records systems of at most ${MAX_SYSTEM_BYTES} bytes`;
  }
  return undefined;
}

/** The name a job's error is recorded under: the name itself, or its start and a hash of the rest. */
export function recordedJobName(attr: string): string {
  if (Buffer.byteLength(attr, 'utf8') <= MAX_JOB_NAME_BYTES) return attr;
  const hash = createHash('sha256').update(attr).digest('hex').slice(0, 16);
  return `${Array.from(attr).slice(0, SHOWN_CHARACTERS).join('')}…(${hash})`;
}
