// The built-in walker's compact job record (see jobInfo in walker-expression.ts) made into an
// EvaluatedJob. The walker prints one per job, so it leaves to this side what costs Nix time and
// output: key names, the derivation's name (it is in the drv path), joining license and maintainer
// lists, and integers given as strings.
import type { EvaluatedJob } from './eval-types';
import { jobFromRecord, type JobRecord } from './job-record';

export interface WalkerRecord {
  /** The drv path. */
  readonly p?: unknown;
  /** The system. */
  readonly s?: unknown;
  /** The out path, or each output's path by name. */
  readonly o?: unknown;
  /** [description, homepage, licenses, maintainers, schedulingPriority, timeout, maxSilent, isHydraChannel]. */
  readonly m?: unknown;
  /** requiredSystemFeatures. */
  readonly f?: unknown;
  /** An aggregate's [globConstituents, constituents]. */
  readonly a?: unknown;
}

/** A derivation's name from its drv path (`/nix/store/<hash>-<name>.drv`). */
export function nameOfDrvPath(drvPath: string): string {
  const base = drvPath.slice(drvPath.lastIndexOf('/') + 1);
  const name = base.slice(base.indexOf('-') + 1);
  return name.endsWith('.drv') ? name.slice(0, -4) : name;
}

/** Hydra's join of meta.license and meta.maintainers: their strings, ", " between. */
function joined(v: unknown): string | null {
  if (!Array.isArray(v)) return null;
  const strings = v.filter((x): x is string => typeof x === 'string');
  return strings.length === 0 ? null : strings.join(', ');
}

/** An integer, or one written as a string ("3600"), as Hydra reads meta.timeout and the like. */
function integer(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

/** Throws JobRecordError when the record lacks what every job has (drv path, outputs). */
export function jobFromWalkerRecord(attr: string, r: WalkerRecord): EvaluatedJob {
  const drvPath = typeof r.p === 'string' ? r.p : undefined;
  const m = Array.isArray(r.m) ? (r.m as unknown[]) : null;
  const a = Array.isArray(r.a) ? (r.a as unknown[]) : null;
  const record: JobRecord = {
    nixName: drvPath === undefined ? undefined : nameOfDrvPath(drvPath),
    drvPath,
    system: r.s,
    outputs: typeof r.o === 'string' ? { out: r.o } : r.o,
    requiredFeatures: r.f,
    ...(m
      ? {
          description: m[0],
          homepage: m[1],
          license: joined(m[2]),
          maintainers: joined(m[3]),
          schedulingPriority: integer(m[4]),
          timeout: integer(m[5]),
          maxSilent: integer(m[6]),
          isChannel: m[7],
        }
      : {}),
    ...(a ? { isAggregate: true, globConstituents: a[0], constituents: a[1] } : {}),
  };
  return jobFromRecord(attr, record);
}
