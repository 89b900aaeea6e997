// Which derivations of a closure Nix would build (not valid, not substitutable), and their output
// paths: what the queue runner checks against the failed-paths cache before it builds; and which
// derivations need a derivation (the builds that fail with it when it fails).
import { execa } from 'execa';
import { z } from 'zod';

/** The derivations listed under "... will be built:" in `nix-store --realise --dry-run`'s output. */
export function parseDryRunBuilds(stderr: string): string[] {
  const drvs: string[] = [];
  let inBuilt = false;
  for (const line of stderr.split('\n')) {
    if (/will be built:\s*$/.test(line)) inBuilt = true;
    else if (/^\S/.test(line)) inBuilt = false;
    else if (inBuilt && /^\s+\/\S+\.drv$/.test(line)) drvs.push(line.trim());
  }
  return drvs;
}

export async function derivationsToBuild(drvPath: string, timeoutMs = 60_000): Promise<string[]> {
  const r = await execa('nix-store', ['--realise', '--dry-run', '--', drvPath], {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`nix-store --realise --dry-run failed: ${r.stderr.trim()}`);
  return parseDryRunBuilds(r.stderr);
}

/**
 * The derivations that need `drvPath`, itself included: the .drv files among its referrers' closure
 * (a derivation refers to the derivations it needs), as the local store knows them.
 */
export async function derivationsNeeding(drvPath: string, timeoutMs = 60_000): Promise<string[]> {
  const r = await execa('nix-store', ['--query', '--referrers-closure', '--', drvPath], {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`nix-store --query --referrers-closure failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((p) => p.endsWith('.drv'));
}

const showDerivation = z.record(
  z.string(),
  z.object({ outputs: z.record(z.string(), z.object({ path: z.string().optional() })) }),
);

/** Each derivation's output paths (input-addressed outputs; a floating CA output has none yet). */
export async function derivationOutputPaths(
  drvPaths: readonly string[],
  timeoutMs = 60_000,
): Promise<Map<string, string[]>> {
  if (drvPaths.length === 0) return new Map();
  const r = await execa(
    'nix',
    ['--extra-experimental-features', 'nix-command', 'show-derivation', '--', ...drvPaths],
    { reject: false, stdin: 'ignore', timeout: timeoutMs },
  );
  if (r.exitCode !== 0) throw new Error(`nix show-derivation failed: ${r.stderr.trim()}`);
  const parsed = showDerivation.parse(JSON.parse(r.stdout));
  return new Map(
    Object.entries(parsed).map(([drv, d]) => [
      drv,
      Object.values(d.outputs).flatMap((o) => (o.path ? [o.path] : [])),
    ]),
  );
}

/** Nix's configured substituters (`nix show-config`: nix.conf and NIX_CONFIG); [] when none. */
export async function configuredSubstituters(): Promise<string[]> {
  const r = await execa('nix', ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
    reject: false,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) return [];
  const config = z
    .record(z.string(), z.object({ value: z.unknown() }))
    .parse(JSON.parse(r.stdout));
  const value = config['substituters']?.value;
  return Array.isArray(value) ? value.map(String).filter((s) => s.length > 0) : [];
}
