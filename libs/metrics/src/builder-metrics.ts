// fc-queue-runner's metrics: builds finished by Hydra status code, their duration, the builds and
// Nix sessions of this process, and build steps.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BuildStatus, buildStatusCodeList } from '@fc/core';

export interface NixSessionCounts {
  readonly idle: number;
  readonly busy: number;
}

export interface BuilderMetrics {
  /** A build's Nix run started; call the result once when the build is over. */
  buildStarted(): () => void;
  /**
   * A build finished with Hydra's status code (@fc/core's BuildStatus);
   * `durationSeconds` when Nix ran it (an aggregate or an unsupported build finishes unbuilt).
   */
  buildFinished(status: number, durationSeconds?: number): void;
  /** A build step ended with its status code. */
  stepFinished(status: number): void;
  /** A notification was attempted on a channel kind: delivered, failed for good, or to be retried. */
  notificationAttempted(kind: string, result: 'delivered' | 'failed' | 'retrying'): void;
  /** Where fc_nix_sessions reads its value at each scrape. */
  observeNixSessions(read: () => NixSessionCounts): void;
}

// Builds take from a second (a cached path) to hours.
const BUILD_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 36000];

export function createBuilderMetrics(registry: Registry): BuilderMetrics {
  const registers = [registry];
  const finished = new Counter({
    name: 'fc_builds_finished_total',
    help: `Builds that ended in this queue runner (${BuildStatus.Cancelled}: cancelled while it built them), by Hydra's status code (${buildStatusCodeList()})`,
    labelNames: ['status'],
    registers,
  });
  const duration = new Histogram({
    name: 'fc_build_duration_seconds',
    help: 'Time from the start of Nix to the finish of a build, by status code',
    labelNames: ['status'],
    buckets: BUILD_BUCKETS,
    registers,
  });
  const running = new Gauge({
    name: 'fc_builds_running',
    help: 'Builds being built by this queue runner',
    registers,
  });
  const steps = new Counter({
    name: 'fc_build_steps_total',
    help: "Build steps ended, by Hydra's status code",
    labelNames: ['status'],
    registers,
  });
  const notifications = new Counter({
    name: 'fc_notifications_total',
    help: 'Notification attempts, by channel kind and result (delivered; failed: for good; retrying: transient, pg-boss retries)',
    labelNames: ['kind', 'result'],
    registers,
  });
  let readSessions: (() => NixSessionCounts) | undefined;
  new Gauge({
    name: 'fc_nix_sessions',
    help: 'nix-daemon --stdio sessions of this queue runner, by state (busy: building; idle: kept for the next build)',
    labelNames: ['state'],
    registers,
    collect() {
      const s = readSessions?.() ?? { idle: 0, busy: 0 };
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'busy' }, s.busy);
    },
  });
  finished.inc({ status: '0' }, 0);

  return {
    buildStarted() {
      running.inc();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running.dec();
      };
    },
    buildFinished(status, durationSeconds) {
      finished.inc({ status: String(status) });
      if (durationSeconds !== undefined) duration.observe({ status: String(status) }, durationSeconds);
    },
    stepFinished(status) {
      steps.inc({ status: String(status) });
    },
    notificationAttempted(kind, result) {
      notifications.inc({ kind, result });
    },
    observeNixSessions(read) {
      readSessions = read;
    },
  };
}
