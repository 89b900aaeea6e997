// fc-server's gauges of the whole installation with the FC README's names: builds (total, pending,
// completed, failed; fc_builds_running is the queue-state gauge), projects, evaluations, channels and
// remote builders. The caller supplies the read (counters kept by database triggers, so a scrape
// counts no rows); every gauge of one scrape shares one read.
import { Gauge, type Registry } from 'prom-client';
import { BuildStatus } from '@fc/core';

export interface InstallationCounts {
  readonly builds: number;
  readonly buildsPending: number;
  readonly buildsSucceeded: number;
  readonly buildsFailed: number;
  readonly projects: number;
  readonly evaluations: number;
  readonly channels: number;
  readonly remoteBuilders: number;
}

const GAUGES: readonly [name: string, help: string, key: keyof InstallationCounts][] = [
  ['fc_builds_total', 'Builds, in every state', 'builds'],
  ['fc_builds_pending', 'Builds queued and not started', 'buildsPending'],
  [
    'fc_builds_completed',
    `Builds finished successfully (status ${BuildStatus.Succeeded}, cached included)`,
    'buildsSucceeded',
  ],
  ['fc_builds_failed', 'Builds finished with any other status', 'buildsFailed'],
  ['fc_projects_total', 'Projects', 'projects'],
  ['fc_evaluations_total', 'Evaluations, in every state', 'evaluations'],
  ['fc_channels_total', 'Channels', 'channels'],
  ['fc_remote_builders_total', 'Remote builders configured', 'remoteBuilders'],
];

export function registerInstallationCountGauges(
  registry: Registry,
  read: () => Promise<InstallationCounts>,
): void {
  let pending: Promise<InstallationCounts> | undefined;
  const once = () => (pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0)));
  for (const [name, help, key] of GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set((await once())[key]);
      },
    });
  }
}
