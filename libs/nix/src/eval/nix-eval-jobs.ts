// nix-eval-jobs, used when it is on PATH (Hydra's own evaluator): it walks the jobset in parallel
// worker processes, each job isolated, and prints one JSON object per job on stdout:
//   {"attr", "attrPath", "drvPath", "name", "system", "outputs", "meta"?, "requiredSystemFeatures"?,
//    "constituents"?, "namedConstituents"?, "globConstituents"?}  or  {"attr", "attrPath", "error"}
// The jobset comes from FC's walker expression in "root" mode, so inputs, flakes and restrict_eval
// behave as with the built-in walker; metadata is joined here as Hydra joins it.
import { accessSync, constants, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { AggregateLogLine } from './aggregates';
import { cleanNixError } from './nix-error';
import {
  JobsetEvaluationError,
  type Constituent,
  type EvalJobsRequest,
  type EvalJobsResult,
  type EvaluatedJob,
} from './eval-types';
import { jobFromRecord, JobRecordError, type JobRecord } from './job-record';
import { PendingJobs } from './pending-jobs';
import { runCommand } from './run-command';
import { walkerArguments, walkerFile } from './walker-arguments';

export const NIX_EVAL_JOBS = 'nix-eval-jobs';

/** The first executable file called `name` in a PATH-style list of directories, or null. */
export function findExecutable(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not there, or not executable
    }
  }
  return null;
}

/** One line of nix-eval-jobs' output, as FC reads it. */
export type NixEvalJobsLine =
  | { readonly kind: 'job'; readonly job: EvaluatedJob }
  /** `aggregate` when nix-eval-jobs found an aggregate's constituents broken. */
  | { readonly kind: 'error'; readonly attr: string; readonly message: string; readonly aggregate: boolean }
  /** A name the built-in walker does not take as a job either (a dot or space in a component). */
  | { readonly kind: 'skipped'; readonly attr: string };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function strings(v: unknown, sub: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap((x) => strings(x, sub));
  if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[sub] === 'string') {
    return [(v as Record<string, string>)[sub]!];
  }
  return [];
}

function joined(v: unknown, sub: string): string | null {
  const l = strings(v, sub);
  return l.length === 0 ? null : l.join(', ');
}

function metaInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

/** A derivation's meta as Hydra stores it: license and maintainers joined, integers parsed. */
export function hydraMeta(meta: unknown): JobRecord {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return {};
  const m = meta as Record<string, unknown>;
  return {
    description: str(m['description']),
    homepage: str(m['homepage']),
    license: joined(m['license'], 'shortName'),
    maintainers: joined(m['maintainers'], 'email'),
    schedulingPriority: metaInt(m['schedulingPriority']),
    timeout: metaInt(m['timeout']),
    maxSilent: metaInt(m['maxSilent']),
    isChannel: m['isHydraChannel'] === true,
  };
}

/** Parses one output line; throws JobRecordError on a line that is not a job or an error. */
export function parseNixEvalJobsLine(line: string): NixEvalJobsLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new JobRecordError(`nix-eval-jobs printed a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new JobRecordError(`nix-eval-jobs printed a line that is not an object: ${line.slice(0, 200)}`);
  }
  const r = raw as Record<string, unknown>;
  const path = Array.isArray(r['attrPath']) ? r['attrPath'].filter((p) => typeof p === 'string') : null;
  const attr = path ? path.join('.') : str(r['attr']);
  if (attr === null || attr === '') throw new JobRecordError(`nix-eval-jobs printed a job without a name: ${line.slice(0, 200)}`);
  if (path?.some((p) => /[. ]/.test(p))) return { kind: 'skipped', attr };
  const error = str(r['error']);
  if (error !== null) {
    const aggregate = 'constituents' in r || 'namedConstituents' in r || r['_hydraAggregate'] === true;
    return { kind: 'error', attr, message: error.replace(/\n$/, ''), aggregate };
  }

  const outputs: Record<string, string> = {};
  if (typeof r['outputs'] === 'object' && r['outputs'] !== null) {
    for (const [name, p] of Object.entries(r['outputs'] as Record<string, unknown>)) {
      if (typeof p === 'string') outputs[name] = p;
    }
  }
  const record: JobRecord = {
    ...hydraMeta(r['meta']),
    nixName: r['name'],
    drvPath: r['drvPath'],
    system: r['system'],
    outputs,
    requiredFeatures: r['requiredSystemFeatures'],
  };
  // Only an aggregate (`_hydraAggregate = true`, with --constituents) has these keys.
  if (!('constituents' in r) && !('namedConstituents' in r)) return { kind: 'job', job: jobFromRecord(attr, record) };
  const constituents: Constituent[] = [
    ...(Array.isArray(r['constituents']) ? r['constituents'] : [])
      .filter((c): c is string => typeof c === 'string')
      .map((drvPath) => ({ drvPath })),
    ...(Array.isArray(r['namedConstituents']) ? r['namedConstituents'] : [])
      .filter((c): c is string => typeof c === 'string')
      .map((name) => ({ name })),
  ];
  return {
    kind: 'job',
    job: { ...jobFromRecord(attr, record), isAggregate: true, globConstituents: r['globConstituents'] === true, constituents },
  };
}

export function nixEvalJobsArguments(request: EvalJobsRequest, walker: string, workers: number): string[] {
  return [
    '--meta',
    '--constituents',
    '--force-recurse',
    '--workers',
    String(workers),
    '--gc-roots-dir',
    join(request.workDir, 'nix-eval-jobs-gcroots'),
    ...walkerArguments(request, walker, { root: true, fast: false, skip: [], only: null, try: false, careful: false }),
  ];
}

/** Runs `executable` (nix-eval-jobs) over the jobset; throws JobsetEvaluationError when it fails as a whole. */
export async function runNixEvalJobs(executable: string, request: EvalJobsRequest): Promise<EvalJobsResult> {
  const walker = walkerFile(request.workDir);
  let jobs = 0;
  const pending = new PendingJobs();
  const errors = new Map<string, string>();
  const aggregateErrors = new Map<string, string>();
  const aggregateLog: AggregateLogLine[] = [];
  let bad: Error | undefined;
  const stderr: string[] = [];
  const result = await runCommand(executable, nixEvalJobsArguments(request, walker, Math.min(4, availableParallelism())), {
    timeoutMs: request.timeoutMs,
    keepStderr: false,
    ...(request.signal ? { signal: request.signal } : {}),
    processGroupDir: request.processGroupDir,
    onStderrLine: (line) => {
      const said = /(aggregate job '.*|Found dependency cycle between jobs .*)$/.exec(line);
      if (said) aggregateLog.push({ level: /^warning:/.test(line) ? 'warn' : 'error', message: said[1]! });
      stderr.push(line);
      if (stderr.length > 200) stderr.shift();
    },
    onStdoutLine: (line) => {
      if (line.trim() === '' || bad) return;
      try {
        const parsed = parseNixEvalJobsLine(line);
        if (parsed.kind === 'job') {
          jobs++;
          pending.add(request.onJob(parsed.job));
        }
        else if (parsed.kind === 'error' && parsed.aggregate) aggregateErrors.set(parsed.attr, parsed.message);
        else if (parsed.kind === 'error') errors.set(parsed.attr, parsed.message);
        request.onProgress?.(jobs + errors.size);
      } catch (e) {
        bad = e instanceof Error ? e : new Error(String(e));
      }
    },
  });
  await pending.take();
  if (result.timedOut) {
    throw new JobsetEvaluationError(
      `evaluation timed out after ${Math.round(request.timeoutMs / 1000)} s (evaluator.nix_timeout); the Nix process tree was killed`,
    );
  }
  if (result.aborted) throw new JobsetEvaluationError('evaluation aborted');
  if (result.exitCode !== 0) {
    throw new JobsetEvaluationError(cleanNixError(stderr) || `nix-eval-jobs exited with code ${result.exitCode}`);
  }
  if (bad) throw new JobsetEvaluationError(bad.message);
  return { errors, aggregateErrors, aggregateLog, processes: 1 };
}
