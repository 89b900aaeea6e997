// Runs `nix-store --realise` for one derivation with Nix's structured log, in its own process group
// (terminal signals do not reach it), streaming each log event to the caller as it arrives.
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { parseNixLogLine, type NixLogEvent } from './nix-log-events';
import { killProcessTree } from './process-tree';

export interface RealiseOptions {
  readonly drvPath: string;
  /** meta.timeout: Nix fails the step as timed out after this many seconds. */
  readonly timeoutSeconds: number;
  /** meta.maxSilent: seconds without output before Nix fails the step as timed out. */
  readonly maxSilentSeconds: number;
  /** Nix's `builders` setting: "" for local builds only, or "@/path/to/machines". */
  readonly builders: string;
  /** Build independent dependencies even when one fails (Hydra records every step). */
  readonly keepGoing?: boolean;
  readonly nixStore?: string;
}

export interface RealiseResult {
  /** null when Nix was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The output paths Nix printed (on success). */
  readonly outputPaths: readonly string[];
}

export interface RunningRealise {
  readonly pid: number;
  readonly result: Promise<RealiseResult>;
  /** Kills nix-store and every process below it; resolves when they are gone. */
  kill(graceMs?: number): Promise<void>;
}

export function realiseArgs(options: RealiseOptions): string[] {
  return [
    '--realise',
    '--log-format',
    'internal-json',
    '--timeout',
    String(options.timeoutSeconds),
    '--max-silent-time',
    String(options.maxSilentSeconds),
    '--builders',
    options.builders,
    ...(options.keepGoing === false ? [] : ['--keep-going']),
    '--',
    options.drvPath,
  ];
}

export function startRealise(options: RealiseOptions, onEvent: (event: NixLogEvent) => void): RunningRealise {
  const subprocess = execa(options.nixStore ?? 'nix-store', realiseArgs(options), {
    detached: true,
    reject: false,
    buffer: { stdout: true, stderr: false },
    stdin: 'ignore',
    stripFinalNewline: true,
  });
  const pid = subprocess.pid;
  if (pid === undefined) throw new Error('nix-store did not start');
  const lines = createInterface({ input: subprocess.stderr, crlfDelay: Infinity });
  lines.on('line', (line) => onEvent(parseNixLogLine(line)));
  const stderrDone = new Promise<void>((resolve) => lines.once('close', () => resolve()));
  const result = (async (): Promise<RealiseResult> => {
    const r = await subprocess;
    await stderrDone;
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    return {
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      outputPaths: stdout.split('\n').filter((l) => l.startsWith('/')),
    };
  })();
  return { pid, result, kill: (graceMs?: number) => killProcessTree(pid, graceMs) };
}
