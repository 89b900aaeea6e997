// Child processes for evaluation and fetching: argument arrays only, a deadline that kills the whole
// process group (nix-instantiate's helpers, git's remote helpers), stderr streamed line by line.
import { execa } from 'execa';
import { recordProcessGroup } from './process-groups';

export interface RunCommandOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Written to the child's stdin (else it has none). */
  readonly input?: string;
  /** Milliseconds; the whole process group is SIGKILLed when it passes. */
  readonly timeoutMs: number;
  /** Called with each complete stderr line as it arrives. */
  readonly onStderrLine?: (line: string) => void;
  /** Called with each complete stdout line as it arrives; stdout is then not kept in the result. */
  readonly onStdoutLine?: (line: string) => void;
  /**
   * Called with stdout as it arrives, in chunks; stdout is then not kept in the result. While a
   * promise it returns is pending, stdout is not read (the child blocks on a full pipe); when one
   * rejects, the process group is killed and runCommand rejects with that error.
   */
  readonly onStdoutData?: (chunk: string) => void | Promise<void>;
  /** Keep stderr in the result (default true). */
  readonly keepStderr?: boolean;
  /** Largest stdout kept, in bytes (execa's default: 100 MB). */
  readonly maxStdoutBytes?: number | undefined;
  readonly signal?: AbortSignal;
  /** Records the child's process group here while it runs (see process-groups.ts). */
  readonly processGroupDir?: string | undefined;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; end: () => void } {
  let partial = '';
  return {
    push: (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end: () => {
      if (partial) onLine(partial);
      partial = '';
    },
  };
}

/** Runs `file args...` to completion; never throws on a non-zero exit or a timeout. */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    // Its own process group, so a deadline kills everything it started.
    detached: true,
    buffer: { stdout: options.onStdoutLine === undefined && options.onStdoutData === undefined, stderr: false },
    ...(options.maxStdoutBytes === undefined ? {} : { maxBuffer: { stdout: options.maxStdoutBytes } }),
    stripFinalNewline: false,
  });
  const forget =
    options.processGroupDir !== undefined && child.pid !== undefined
      ? recordProcessGroup(options.processGroupDir, child.pid)
      : undefined;
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killGroup(child.pid);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const stdoutLines = options.onStdoutLine ? lineSplitter(options.onStdoutLine) : undefined;
  if (stdoutLines) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', stdoutLines.push);
  }
  let consumerFailure: { error: unknown } | undefined;
  const onData = options.onStdoutData;
  if (onData) {
    const stdout = child.stdout;
    stdout?.setEncoding('utf8');
    stdout?.on('data', (chunk: string) => {
      if (consumerFailure) return;
      let held: void | Promise<void>;
      try {
        held = onData(chunk);
      } catch (error) {
        consumerFailure = { error };
        killGroup(child.pid);
        return;
      }
      if (!held) return;
      stdout.pause();
      held.then(
        () => stdout.resume(),
        (error: unknown) => {
          consumerFailure = { error };
          killGroup(child.pid);
          stdout.resume();
        },
      );
    });
  }
  const stderrChunks: string[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (options.keepStderr !== false) stderrChunks.push(chunk);
    if (!options.onStderrLine) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onStderrLine(line);
  });
  try {
    const result = await child;
    if (partial && options.onStderrLine) options.onStderrLine(partial);
    stdoutLines?.end();
    if (consumerFailure) throw consumerFailure.error;
    return {
      exitCode: result.exitCode ?? -1,
      stdout: stdoutLines || onData ? '' : String(result.stdout ?? ''),
      stderr: stderrChunks.join(''),
      timedOut,
      aborted,
    };
  } finally {
    forget?.();
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
