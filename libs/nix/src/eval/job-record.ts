// A job record as an evaluator prints it, made into an EvaluatedJob: Hydra's defaults fill in what
// the record leaves out (the built-in walker omits the meta keys of a derivation without meta).
import type { Constituent, EvaluatedJob } from './eval-types';

export const DEFAULT_SCHEDULING_PRIORITY = 100;
export const DEFAULT_TIMEOUT = 36_000;
export const DEFAULT_MAX_SILENT = 3_600;

/** What a record may hold; every key but drvPath is optional. */
export interface JobRecord {
  readonly nixName?: unknown;
  readonly drvPath?: unknown;
  readonly system?: unknown;
  readonly outputs?: unknown;
  readonly description?: unknown;
  readonly homepage?: unknown;
  readonly license?: unknown;
  readonly maintainers?: unknown;
  readonly schedulingPriority?: unknown;
  readonly timeout?: unknown;
  readonly maxSilent?: unknown;
  readonly isChannel?: unknown;
  readonly requiredFeatures?: unknown;
  readonly isAggregate?: unknown;
  readonly globConstituents?: unknown;
  readonly constituents?: unknown;
}

export class JobRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRecordError';
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
/** The largest value of the 32-bit columns that hold a job's priority, timeout and max silent time. */
export const MAX_INT32 = 2_147_483_647;
const int = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isInteger(v) ? v : fallback;
/** Nix integers are 64-bit: a value past a column's range is clamped to it (3000000000 s: 68 years). */
const clamp = (v: number, min: number): number => Math.min(MAX_INT32, Math.max(min, v));

function outputsOf(attr: string, v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new JobRecordError(`job ${attr}: the record has no outputs`);
  }
  const out: Record<string, string> = {};
  for (const [name, path] of Object.entries(v)) {
    // nix-eval-jobs prints null for an output whose path is not known yet (content-addressed).
    if (typeof path === 'string') out[name] = path;
  }
  return out;
}

function constituentsOf(v: unknown): Constituent[] {
  if (!Array.isArray(v)) return [];
  const out: Constituent[] = [];
  for (const c of v) {
    if (typeof c === 'string') out.push({ name: c });
    else if (typeof c === 'object' && c !== null) {
      const r = c as { name?: unknown; drvPath?: unknown };
      if (typeof r.drvPath === 'string') out.push({ drvPath: r.drvPath });
      else if (typeof r.name === 'string') out.push({ name: r.name });
    }
  }
  return out;
}

/** Throws JobRecordError when the record lacks what every job has (drv path, outputs). */
export function jobFromRecord(attr: string, r: JobRecord): EvaluatedJob {
  const drvPath = str(r.drvPath);
  if (drvPath === null) throw new JobRecordError(`job ${attr}: the record has no drvPath`);
  const features = Array.isArray(r.requiredFeatures)
    ? r.requiredFeatures.filter((f): f is string => typeof f === 'string')
    : [];
  const job: EvaluatedJob = {
    attr,
    nixName: str(r.nixName) ?? '',
    drvPath,
    system: str(r.system) ?? '',
    outputs: outputsOf(attr, r.outputs),
    description: str(r.description),
    homepage: str(r.homepage),
    license: str(r.license),
    maintainers: str(r.maintainers),
    schedulingPriority: clamp(int(r.schedulingPriority, DEFAULT_SCHEDULING_PRIORITY), -MAX_INT32),
    timeout: clamp(int(r.timeout, DEFAULT_TIMEOUT), 0),
    maxSilent: clamp(int(r.maxSilent, DEFAULT_MAX_SILENT), 0),
    isChannel: r.isChannel === true,
    requiredFeatures: features,
  };
  if (r.isAggregate !== true) return job;
  return {
    ...job,
    isAggregate: true,
    globConstituents: r.globConstituents === true,
    constituents: constituentsOf(r.constituents),
  };
}
