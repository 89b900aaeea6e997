// The built-in evaluator: Hydra's results from plain nix-instantiate (Nix 2.8 has no nix-eval-jobs).
// Common case: one process walks the whole jobset and prints its tree of job records (fast mode).
// builtins.tryEval catches throw and assert, so such jobs are only marked failed and re-run alone to
// get Nix's message; an error tryEval cannot catch (a missing attribute, a type error) ends the
// process, and the walk starts again in careful mode, which streams each job as it goes and resumes
// after each crash, skipping what is done and the job that broke it (named by the last "FCBEGIN").
// Either way each job is passed on as soon as it is read: Nix prints the fast walk's tree as it
// evaluates it, so nothing holds the whole jobset.
import type { JobIndex } from './job-index';
import { JobTreeParser } from './job-tree-parser';
import { PendingJobs } from './pending-jobs';
import { cleanNixError } from './nix-error';
import { runCommand } from './run-command';
import { walkerFile, walkerInvocation } from './walker-arguments';
import { jobFromWalkerRecord, type WalkerRecord } from './walker-record';
import {
  JobsetEvaluationError,
  type EvalJobsRequest,
  type EvalJobsResult,
  type EvaluatedJob,
} from './eval-types';

const JOB_PREFIX = 'trace: FCJOB ';
const BEGIN_PREFIX = 'trace: FCBEGIN ';

type WalkControl = {
  /** Fast mode: the tree on stdout, no traces (the other fields are then unused). */
  readonly fast: boolean;
  readonly skip: readonly string[];
  readonly only: readonly string[] | null;
  readonly try: boolean;
  readonly careful: boolean;
};

interface WalkOutcome {
  readonly failed: string[];
  /** Set when the process did not finish: the last attribute begun, and Nix's message. */
  readonly crash?: { readonly culprit: string | undefined; readonly message: string };
  /** Whether the walk named each attribute as it went (so a crash names its culprit). */
  readonly careful: boolean;
}

export class BuiltinEvaluator {
  private readonly walker: string;
  private readonly deadline: number;
  private processes = 0;

  /** `index` holds the jobs passed on so far (by evaluateJobset's onJob): a walk after a crash skips them. */
  constructor(
    private readonly request: EvalJobsRequest,
    private readonly index: JobIndex,
  ) {
    this.walker = walkerFile(request.workDir);
    this.deadline = Date.now() + request.timeoutMs;
  }

  private invocation(control: WalkControl): { args: string[]; stdin: string } {
    const { args, stdin } = walkerInvocation(this.request, this.walker, control);
    return { args: ['--eval', '--strict', '--json', '--read-write-mode', ...args], stdin };
  }

  private async walk(control: WalkControl, onJob: (job: EvaluatedJob) => void | Promise<void>): Promise<WalkOutcome> {
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw this.timeoutError();
    const failed: string[] = [];
    const pending = new PendingJobs();
    let culprit: string | undefined;
    let tail: string[] = [];
    // Fast mode: the tree is read as Nix prints it, each job passed on as it is read.
    const tree = control.fast
      ? new JobTreeParser({
          job: (attr, record) => pending.add(onJob(jobFromWalkerRecord(attr, record as WalkerRecord))),
          failed: (attr) => failed.push(attr),
        })
      : undefined;
    this.processes++;
    const { args, stdin } = this.invocation(control);
    const result = await runCommand('nix-instantiate', args, {
      input: stdin,
      timeoutMs: remaining,
      keepStderr: false,
      ...(tree
        ? {
            onStdoutData: (chunk: string) => {
              tree.push(chunk);
              return pending.take();
            },
          }
        : {}),
      ...(this.request.signal ? { signal: this.request.signal } : {}),
      processGroupDir: this.request.processGroupDir,
      onStderrLine: (line) => {
        if (line.startsWith(JOB_PREFIX)) {
          const record = JSON.parse(line.slice(JOB_PREFIX.length)) as WalkerRecord & {
            attr: string;
            failed?: true;
          };
          if (record.failed) failed.push(record.attr);
          else pending.add(onJob(jobFromWalkerRecord(record.attr, record)));
        } else if (line.startsWith(BEGIN_PREFIX)) {
          culprit = JSON.parse(line.slice(BEGIN_PREFIX.length)) as string;
          tail = [];
        } else tail.push(line);
      },
    });
    await pending.take();
    if (result.timedOut) throw this.timeoutError();
    if (result.aborted) throw new JobsetEvaluationError('evaluation aborted');
    const careful = control.careful;
    if (result.exitCode !== 0) return { failed, careful, crash: { culprit, message: cleanNixError(tail) } };
    // Anything but an attribute set at the root: careful mode says what it is.
    if (tree && !tree.end().rootIsSet) return { failed, careful, crash: { culprit, message: '' } };
    return { failed, careful };
  }

  private timeoutError(): JobsetEvaluationError {
    return new JobsetEvaluationError(
      `evaluation timed out after ${Math.round(this.request.timeoutMs / 1000)} s (evaluator.nix_timeout); the Nix process tree was killed`,
    );
  }

  async run(): Promise<EvalJobsResult> {
    const { index } = this;
    const errors = new Map<string, string>();
    const failed = new Set<string>();
    const onJob = (job: EvaluatedJob) => {
      const held = this.request.onJob(job);
      this.request.onProgress?.(index.size + failed.size + errors.size);
      return held;
    };
    const fast: WalkControl = { fast: true, skip: [], only: null, try: true, careful: false };
    for (let outcome = await this.walk(fast, onJob); ; ) {
      for (const name of outcome.failed) failed.add(name);
      if (!outcome.crash) break;
      if (outcome.careful) {
        const { culprit, message } = outcome.crash;
        if (culprit === undefined || culprit === '') throw new JobsetEvaluationError(message);
        if (errors.has(culprit) || index.has(culprit)) {
          throw new JobsetEvaluationError(`evaluation did not progress past ${culprit}: ${message}`);
        }
        errors.set(culprit, message);
      }
      // The fast walk does not say which attribute broke it: walk in careful mode, naming each one,
      // past the jobs already passed on.
      const skip = [...index.names(), ...failed, ...errors.keys()];
      outcome = await this.walk({ fast: false, skip, only: null, try: true, careful: true }, onJob);
    }
    // Each job tryEval caught is evaluated alone, without tryEval, for Nix's own message.
    const pending = [...failed];
    const worker = async () => {
      for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
        const outcome = await this.walk(
          { fast: false, skip: [], only: [name], try: false, careful: true },
          () => undefined,
        );
        errors.set(
          name,
          outcome.crash?.message || 'error: the evaluation of this job failed (builtins.tryEval)',
        );
      }
    };
    await Promise.all([worker(), worker()]);
    return { errors, processes: this.processes };
  }
}
