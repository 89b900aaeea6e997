// notifications.run_command: the administrator's command, run through /bin/sh -c as Hydra's
// RunCommand does (so `cat $HYDRA_JSON > /tmp/x` configurations keep working); a dynamic RunCommand
// hook (a build's own executable) is run as it is, with no shell. Only the configured string is ever
// a command line: the build's JSON is written to a private file named by $HYDRA_JSON
// and piped to standard input, never interpolated. The command runs in its own process group, which
// the deadline kills as a whole; its exit status and the tail of its output are kept.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AttemptResult } from './attempt-result';

/** Characters of combined stdout/stderr kept. */
export const OUTPUT_TAIL_CHARS = 4096;

/** A command line for /bin/sh -c, or a program run as it is (a dynamic RunCommand hook). */
export type NotificationCommand = string | { readonly program: string };

export async function runNotificationCommand(
  command: NotificationCommand,
  json: unknown,
  options: { readonly timeoutMs: number; readonly workDir: string },
): Promise<AttemptResult> {
  await mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(options.workDir, 'run-command-'));
  const file = join(dir, 'build.json');
  const text = JSON.stringify(json);
  await writeFile(file, text, { mode: 0o600 });
  try {
    const [program, args] =
      typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command.program, []];
    const label = typeof command === 'string' ? 'run_command' : 'the dynamic RunCommand hook';
    const child = execa(program, args, {
      env: { HYDRA_JSON: file },
      extendEnv: true,
      input: text,
      reject: false,
      detached: true,
      all: true,
      buffer: false,
      cwd: dir,
    });
    let tail = '';
    child.all?.setEncoding('utf8');
    child.all?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    const result = await child.finally(() => clearTimeout(timer));
    const exitCode = result.exitCode ?? null;
    if (timedOut) {
      return {
        ok: false,
        retryable: true,
        exitCode: null,
        outputTail: tail,
        error: `${label} did not finish within ${options.timeoutMs / 1000} s: killed`,
      };
    }
    if (exitCode === 0) return { ok: true, exitCode, outputTail: tail };
    const how =
      exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with status ${exitCode}`;
    return { ok: false, retryable: false, exitCode, outputTail: tail, error: `${label} ${how}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
