// What the local Nix can build: its system, extra platforms and system features, and the settings a
// client of its daemon passes on (`nix show-config`).
import { execa } from 'execa';
import { z } from 'zod';
import type { NixClientSettings } from '../build/nix-daemon-session';

export interface LocalMachine {
  readonly systems: readonly string[];
  readonly supportedFeatures: readonly string[];
  /** max-jobs = 0 means the local machine builds nothing itself. */
  readonly buildsLocally: boolean;
  /** What `nix-store` would send a daemon: keep-failed, fallback, max-jobs, cores, substitute. */
  readonly clientSettings: NixClientSettings;
}

const setting = z.object({ value: z.unknown() });

function words(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  return [];
}

export function parseShowConfig(json: string): LocalMachine {
  const config = z.record(z.string(), setting).parse(JSON.parse(json));
  const systemValue = config['system']?.value;
  const system = typeof systemValue === 'string' ? systemValue : '';
  return {
    systems: [system, ...words(config['extra-platforms']?.value)].filter(Boolean),
    supportedFeatures: words(config['system-features']?.value),
    buildsLocally: Number(config['max-jobs']?.value ?? 1) !== 0,
    clientSettings: {
      keepFailed: config['keep-failed']?.value === true,
      tryFallback: config['fallback']?.value === true,
      maxBuildJobs: Number(config['max-jobs']?.value ?? 1),
      verboseBuild: config['verbose-build']?.value !== false,
      buildCores: Number(config['cores']?.value ?? 0),
      useSubstitutes: config['substitute']?.value !== false,
    },
  };
}

export async function readLocalMachine(nix = 'nix'): Promise<LocalMachine> {
  const r = await execa(nix, ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
    stdin: 'ignore',
  });
  return parseShowConfig(r.stdout);
}
