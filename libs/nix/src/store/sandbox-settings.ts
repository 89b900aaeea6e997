// Whether Nix sandboxes the builds it runs for this process (Nix's effective configuration, as
// `nix show-config` reads it: /etc/nix/nix.conf, NIX_CONFIG). Each daemon says so at start, and
// warns when a build could read FC's files and print them into its public log.
import { execa } from 'execa';
import { z } from 'zod';

export interface SandboxSettings {
  /** Nix's `sandbox`: true, false or relaxed (derivations with __noChroot run unsandboxed). */
  readonly sandbox: 'true' | 'false' | 'relaxed';
  readonly buildUsersGroup: string;
  readonly sandboxPaths: readonly string[];
  /** Nix builds unsandboxed, silently, where the kernel lacks the namespaces. */
  readonly sandboxFallback: boolean;
}

export interface SandboxVerdict {
  /** Every build runs in the sandbox, as a build user. */
  readonly sandboxed: boolean;
  /** What is wrong or risky, one sentence each naming the nix.conf setting to change. */
  readonly problems: readonly string[];
  readonly settings: SandboxSettings;
}

const setting = z.object({ value: z.unknown() });

export function parseSandboxSettings(showConfigJson: string): SandboxSettings {
  const config = z.record(z.string(), setting).parse(JSON.parse(showConfigJson));
  const sandbox = config['sandbox']?.value;
  const paths = config['sandbox-paths']?.value;
  const group = config['build-users-group']?.value;
  return {
    sandbox: sandbox === true ? 'true' : sandbox === 'relaxed' ? 'relaxed' : 'false',
    buildUsersGroup: typeof group === 'string' ? group : '',
    sandboxPaths: Array.isArray(paths) ? paths.map(String) : [],
    sandboxFallback: config['sandbox-fallback']?.value !== false,
  };
}

/** `runsAsRoot`: Nix builds as this process's user when build-users-group is empty. */
export function sandboxVerdict(settings: SandboxSettings, runsAsRoot: boolean): SandboxVerdict {
  const problems: string[] = [];
  if (settings.sandbox === 'false') {
    problems.push(
      'sandbox = false: builds can read any file their user can read (FC keys, configuration, every ' +
        "jobset's checkout) and print it into their public logs; set sandbox = true",
    );
  } else if (settings.sandbox === 'relaxed') {
    problems.push('sandbox = relaxed: derivations with __noChroot run unsandboxed; set sandbox = true');
  }
  if (settings.buildUsersGroup === '' && runsAsRoot) {
    problems.push('build-users-group is empty: builds run as root; set build-users-group = nixbld');
  }
  const sandboxed = problems.length === 0;
  if (settings.sandbox !== 'false' && settings.sandboxFallback) {
    problems.push(
      'sandbox-fallback = true: where the kernel lacks the namespaces Nix builds unsandboxed without ' +
        'saying so; set sandbox-fallback = false',
    );
  }
  return { sandboxed, problems, settings };
}

/** Runs `nix show-config` (in this process's environment, so NIX_CONFIG counts). */
export async function readSandboxVerdict(nix = 'nix'): Promise<SandboxVerdict> {
  const r = await execa(nix, ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
    stdin: 'ignore',
  });
  return sandboxVerdict(parseSandboxSettings(r.stdout), process.getuid?.() === 0);
}

/** The line a daemon logs at start: info when builds are sandboxed as they should be, else a warning. */
export function sandboxStartLine(v: SandboxVerdict): { level: 'info' | 'warn'; message: string } {
  if (!v.sandboxed) {
    return { level: 'warn', message: `BUILDS ARE NOT SANDBOXED: ${v.problems.join('; ')} (/etc/nix/nix.conf)` };
  }
  if (v.problems.length > 0) return { level: 'warn', message: `builds are sandboxed, but ${v.problems.join('; ')}` };
  return { level: 'info', message: 'builds are sandboxed' };
}
