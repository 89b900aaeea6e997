// Runs one of FC's built programs (dist/apps/*/main.js) the way a user would, with the project's Node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT } from './paths';

export type AppName = 'server' | 'evaluator' | 'builder' | 'migrate';

export function appMain(app: AppName): string {
  const main = join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm test builds first)`);
  return main;
}

export interface BinaryResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the app to completion; never throws on a non-zero exit. */
export async function runApp(
  app: AppName,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<BinaryResult> {
  const result = await execa(process.execPath, [appMain(app), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...cleanEnv(), ...options.env },
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Starts a long-running app (a daemon); the caller stops it. */
export function startApp(
  app: AppName,
  args: readonly string[],
  /** `user`: run as this user and group id instead of the spec's (an unprivileged service user). */
  options: { env?: Record<string, string>; cwd?: string; user?: { uid: number; gid: number } } = {},
): ResultPromise {
  return execa(process.execPath, [appMain(app), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    env: { ...cleanEnv(), ...options.env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    buffer: true,
    forceKillAfterDelay: 5000,
  });
}

/** The parent's environment without FC_* configuration, so a spec states all the config it uses. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('FC_') && !k.startsWith('JEST_') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return env;
}
