// The built-in evaluator: Hydra's results from plain nix-instantiate (Nix 2.8 has no nix-eval-jobs).
// Common case: one process walks the whole jobset. builtins.tryEval catches throw and assert, so
// such jobs are only marked failed and re-run alone to get Nix's message; an error tryEval cannot
// catch (a missing attribute, a type error) ends the process, and the walk resumes in careful mode,
// skipping what is done and the job that broke it (named by the last "FCBEGIN" trace).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command';
import { WALKER_EXPRESSION } from './walker-expression';
import {
  JobsetEvaluationError,
  type EvalInput,
  type EvalJobsRequest,
  type EvalJobsResult,
  type EvaluatedJob,
} from './eval-types';

const JOB_PREFIX = 'trace: FCJOB ';
const BEGIN_PREFIX = 'trace: FCBEGIN ';
const SHOW_TRACE_HINT = "(use '--show-trace' to show detailed location information)";
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

interface WalkControl {
  readonly skip: readonly string[];
  readonly only: readonly string[] | null;
  readonly try: boolean;
  readonly careful: boolean;
}

interface WalkOutcome {
  readonly jobs: EvaluatedJob[];
  readonly failed: string[];
  /** Set when the process did not finish: the last attribute begun, and Nix's message. */
  readonly crash?: { readonly culprit: string | undefined; readonly message: string };
}

function walkerFile(workDir: string): string {
  const hash = createHash('sha256').update(WALKER_EXPRESSION).digest('hex').slice(0, 16);
  const file = join(workDir, `fc-walker-${hash}.nix`);
  if (!existsSync(file)) {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(file, WALKER_EXPRESSION);
  }
  return file;
}

function nixString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '\\${');
}

/** The `--arg fcNixInputs` value: each "nix" input's expression, verbatim. */
function nixInputsExpression(inputs: readonly EvalInput[]): string | undefined {
  const nix = inputs.filter((i) => i.type === 'nix');
  if (nix.length === 0) return undefined;
  return `{ ${nix.map((i) => `${nixString(i.name)} = (${i.value});`).join(' ')} }`;
}

function inputsJson(inputs: readonly EvalInput[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const i of inputs) {
    switch (i.type) {
      case 'nix':
        break;
      case 'string':
      case 'boolean':
        out[i.name] = { type: i.type, value: i.value };
        break;
      case 'path':
        out[i.name] = { type: i.type, path: i.path, uri: i.uri };
        break;
      case 'git':
        out[i.name] = { ...i };
        break;
    }
  }
  return out;
}

/** Nix's message from the lines after the last attribute begun: trace lines and the hint dropped. */
export function cleanNixError(lines: readonly string[]): string {
  return lines
    .filter((l) => !l.startsWith('trace: ') && l.trim() !== SHOW_TRACE_HINT)
    .join('\n')
    .replace(ANSI, '')
    .trim();
}

export class BuiltinEvaluator {
  private readonly walker: string;
  private readonly deadline: number;
  private processes = 0;

  constructor(private readonly request: EvalJobsRequest) {
    this.walker = walkerFile(request.workDir);
    this.deadline = Date.now() + request.timeoutMs;
  }

  private args(control: WalkControl): string[] {
    const { source, inputs } = this.request;
    const allowed: string[] = [this.request.workDir];
    for (const i of inputs) if (i.type === 'git' || i.type === 'path') allowed.push(i.path);
    const fcControl = {
      ...control,
      inputs: inputsJson(inputs),
      flake: source.kind === 'flake' ? source.flakeRef : null,
      src: source.kind === 'legacy' ? source.checkout : null,
      file: source.kind === 'legacy' ? source.file : null,
    };
    if (source.kind === 'legacy') allowed.push(source.checkout);
    else allowed.push(...source.allowedPaths);
    const args = ['--eval', '--json', '--read-write-mode', this.walker, '--argstr', 'fcControl', JSON.stringify(fcControl)];
    const nixInputs = nixInputsExpression(inputs);
    if (nixInputs) args.push('--arg', 'fcNixInputs', nixInputs);
    args.push('--option', 'restrict-eval', String(this.request.restrictEval));
    args.push('--option', 'allow-import-from-derivation', String(this.request.allowIfd));
    if (this.request.restrictEval) for (const p of allowed) args.push('-I', p);
    return args;
  }

  private async walk(control: WalkControl, onJob: (job: EvaluatedJob) => void): Promise<WalkOutcome> {
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw this.timeoutError();
    const jobs: EvaluatedJob[] = [];
    const failed: string[] = [];
    let culprit: string | undefined;
    let tail: string[] = [];
    this.processes++;
    const result = await runCommand('nix-instantiate', this.args(control), {
      timeoutMs: remaining,
      keepStderr: false,
      ...(this.request.signal ? { signal: this.request.signal } : {}),
      onStderrLine: (line) => {
        if (line.startsWith(JOB_PREFIX)) {
          const record = JSON.parse(line.slice(JOB_PREFIX.length)) as EvaluatedJob & { failed?: true };
          if (record.failed) failed.push(record.attr);
          else {
            jobs.push(record);
            onJob(record);
          }
        } else if (line.startsWith(BEGIN_PREFIX)) {
          culprit = JSON.parse(line.slice(BEGIN_PREFIX.length)) as string;
          tail = [];
        } else tail.push(line);
      },
    });
    if (result.timedOut) throw this.timeoutError();
    if (result.aborted) throw new JobsetEvaluationError('evaluation aborted');
    if (result.exitCode === 0) return { jobs, failed };
    return { jobs, failed, crash: { culprit, message: cleanNixError(tail) } };
  }

  private timeoutError(): JobsetEvaluationError {
    return new JobsetEvaluationError(
      `evaluation timed out after ${Math.round(this.request.timeoutMs / 1000)} s (evaluator.nix_timeout); the Nix process tree was killed`,
    );
  }

  async run(): Promise<EvalJobsResult> {
    const jobs = new Map<string, EvaluatedJob>();
    const errors = new Map<string, string>();
    const failed = new Set<string>();
    const onJob = (job: EvaluatedJob) => {
      jobs.set(job.attr, job);
      this.request.onProgress?.(jobs.size + failed.size + errors.size);
    };
    let careful = false;
    for (;;) {
      const skip = [...jobs.keys(), ...failed, ...errors.keys()];
      const outcome = await this.walk({ skip, only: null, try: true, careful }, onJob);
      for (const name of outcome.failed) failed.add(name);
      if (!outcome.crash) break;
      if (!careful) {
        // The fast walk does not say which attribute broke it: walk again, naming each one.
        careful = true;
        continue;
      }
      const { culprit, message } = outcome.crash;
      if (culprit === undefined || culprit === '') throw new JobsetEvaluationError(message);
      if (errors.has(culprit) || jobs.has(culprit)) {
        throw new JobsetEvaluationError(`evaluation did not progress past ${culprit}: ${message}`);
      }
      errors.set(culprit, message);
    }
    // Each job tryEval caught is evaluated alone, without tryEval, for Nix's own message.
    const pending = [...failed];
    const worker = async () => {
      for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
        const outcome = await this.walk({ skip: [], only: [name], try: false, careful: true }, () => undefined);
        errors.set(
          name,
          outcome.crash?.message || 'error: the evaluation of this job failed (builtins.tryEval)',
        );
      }
    };
    await Promise.all([worker(), worker()]);
    const ordered = [...jobs.values()];
    return { jobs: ordered, errors, processes: this.processes };
  }
}
