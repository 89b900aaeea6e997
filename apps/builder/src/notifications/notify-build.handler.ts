// One notify-build job: report one finish of a build on every configured channel, at least once and
// once per (build, channel, finish). Each channel's delivery row is claimed for the attempt (a lease,
// committed at once: no transaction or lock is held while a receiver answers or a command runs) and
// settled with its outcome after; channels already delivered or failed for good are skipped,
// so a retried or duplicated job only repeats what has not gone through. Transient failures leave
// their rows pending and fail the job, so pg-boss retries it with backoff; on the job's last attempt
// they are recorded as failed. A build of a pull request's jobset may complete one of its
// evaluations: that evaluation's final summary status is posted after the channels.
import type { FcConfig } from '@fc/config';
import {
  claimPendingDelivery,
  dynamicRunCommandEnabled,
  failPendingDeliveries,
  findBuildDetail,
  findOrCreateDelivery,
  settleDelivery,
  type Pool,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import type { JobPayload, QueueName } from '@fc/queue';
import { buildStatusTargets } from './build-status-targets';
import { dynamicHookEligibility } from './dynamic-run-command';
import { postEvaluationSummary } from './evaluation-summary';
import { hydraBuildJson } from './hydra-build-json';
import { reportPendingStatus } from './pending-status';
import {
  forgeSettings,
  notificationChannels,
  notificationsConfigured,
  type NotificationChannel,
} from './notification-channels';
import { emptyStatusPostResult } from './post-commit-statuses';
import { wantsSummaryStatus } from './pull-request-status';

export interface NotifyBuildDeps {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly config: Pick<FcConfig, 'notifications' | 'server'>;
  /** Where run_command's $HYDRA_JSON files are written (removed after each run). */
  readonly workDir: string;
  /** Told each delivery attempt's result per channel kind (fc-queue-runner's metrics). */
  readonly onDelivery?: (kind: string, result: 'delivered' | 'failed' | 'retrying') => void;
}

export interface NotifyBuildJob {
  readonly id: string;
  readonly data: JobPayload<typeof QueueName.NotifyBuild>;
  /** pg-boss: attempts before this one, and how many retries the job has. */
  readonly retryCount: number;
  readonly retryLimit: number;
}

/** Thrown when some channel failed transiently: pg-boss retries the job. */
export class TransientNotificationError extends Error {
  constructor(readonly failures: readonly string[]) {
    super(`notification delivery will be retried: ${failures.join('; ')}`);
    this.name = 'TransientNotificationError';
  }
}

export interface NotifyBuildSummary {
  readonly delivered: number;
  readonly failed: number;
  readonly skipped: number;
  readonly retrying: number;
}

export async function notifyBuild(deps: NotifyBuildDeps, job: NotifyBuildJob): Promise<NotifyBuildSummary> {
  const { buildId, event } = job.data;
  const log = deps.logger.child({ component: 'notify-build', jobId: job.id, buildId });
  const summary = { delivered: 0, failed: 0, skipped: 0, retrying: 0 };
  if (event !== 'finished') {
    // Queued or started: pending commit statuses only (Hydra's GitHubStatus does the same).
    const pending = await reportPendingStatus(deps, buildId, log);
    if (pending.retrying.length > 0) throw new TransientNotificationError(pending.retrying);
    return { ...summary, delivered: pending.delivered, failed: pending.failed };
  }
  // Nothing to deliver: the build is not even read.
  if (!notificationsConfigured(deps.config.notifications)) return summary;
  const build = await findBuildDetail(deps.pool, buildId);
  if (!build) {
    log.info('build no longer exists: nothing to report');
    return summary;
  }
  if (!build.finished || build.stoppedAt === null) {
    // Restarted since: its next finish publishes its own job.
    log.info('build is not finished any more: nothing to report');
    return summary;
  }
  const buildStoppedAt = build.stoppedAt;
  const forges = forgeSettings(deps.config.notifications);
  const status = await buildStatusTargets(deps.pool, build, forges);
  let dynamicHook: string | null = null;
  if (deps.config.notifications.dynamic_run_command) {
    const hook = await dynamicHookEligibility({
      job: build.job,
      buildStatus: build.buildStatus,
      outputs: build.outputs,
      enabledByProjectAndJobset: () => dynamicRunCommandEnabled(deps.pool, buildId),
    });
    if (hook.eligible) dynamicHook = hook.path;
    else if (hook.reason !== null)
      log.warn(`DynamicRunCommand hook on ${build.job} (${buildId}) rejected: ${hook.reason}`);
  }
  const channels = notificationChannels(
    deps.config,
    { build, json: hydraBuildJson(build), statusTargets: status.targets, dynamicHook },
    deps.workDir,
  );
  const lastAttempt = job.retryCount >= job.retryLimit;
  const transient: string[] = [];
  for (const channel of channels) {
    const outcome = await deliverOnce(deps, channel, buildId, buildStoppedAt, lastAttempt);
    summary[outcome.result]++;
    if (outcome.result !== 'skipped') deps.onDelivery?.(channel.kind, outcome.result);
    const fields = {
      kind: channel.kind,
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
      durationMs: outcome.durationMs,
    };
    if (outcome.result === 'delivered') log.info('notification delivered', fields);
    else if (outcome.result === 'failed')
      log.warn('notification failed', { ...fields, error: outcome.error });
    else if (outcome.result === 'retrying') {
      log.warn('notification failed; will retry', { ...fields, error: outcome.error });
      transient.push(`${channel.kind}: ${outcome.error}`);
    }
  }
  const pr = status.pullRequest;
  if (pr !== undefined && wantsSummaryStatus(pr.statuses) && (forges.github || forges.gitea)) {
    // The evaluations this build completes get their final summary (an unfinished one stays pending).
    const posted = emptyStatusPostResult();
    const poster = {
      forges,
      timeoutMs: deps.config.notifications.timeout * 1000,
      onDelivery: deps.onDelivery,
      baseUrl: deps.config.server.base_url,
    };
    for (const evaluationId of status.evaluationIds) {
      await postEvaluationSummary(deps.pool, poster, pr, evaluationId, true, posted, log);
    }
    summary.delivered += posted.delivered;
    summary.failed += posted.failed;
    if (lastAttempt) {
      summary.failed += posted.retrying.length;
      for (const error of posted.retrying) log.warn('summary status failed; gave up', { error });
    } else {
      summary.retrying += posted.retrying.length;
      transient.push(...posted.retrying);
    }
  }
  if (lastAttempt) {
    // Rows another consumer left pending (it died mid-attempt) end here too.
    await failPendingDeliveries(
      deps.pool,
      buildId,
      buildStoppedAt,
      `gave up after ${job.retryLimit + 1} attempts`,
    );
  }
  if (transient.length > 0) throw new TransientNotificationError(transient);
  return summary;
}

type ChannelOutcome = {
  readonly result: 'delivered' | 'failed' | 'skipped' | 'retrying';
  readonly error?: string;
  readonly durationMs: number;
};

async function deliverOnce(
  deps: NotifyBuildDeps,
  channel: NotificationChannel,
  buildId: number,
  buildStoppedAt: Date,
  lastAttempt: boolean,
): Promise<ChannelOutcome> {
  const started = Date.now();
  const row = await findOrCreateDelivery(deps.pool, {
    buildId,
    kind: channel.kind,
    target: channel.target,
    buildStoppedAt,
  });
  if (row.status !== 'pending') return { result: 'skipped', durationMs: 0 };
  const claim = await claimPendingDelivery(deps.pool, row.id, leaseSeconds(deps));
  if (claim.kind === 'settled') return { result: 'skipped', durationMs: 0 };
  if (claim.kind === 'leased') {
    // Another consumer is delivering it, or died doing so: a retry settles it either way.
    return { result: 'retrying', error: 'another consumer holds this delivery', durationMs: 0 };
  }
  // Outside any transaction: a slow receiver holds no connection, transaction or lock.
  const r = await channel.deliver();
  const durationMs = Date.now() - started;
  if (r.ok) {
    await settleDelivery(deps.pool, claim.row, { status: 'delivered', retryable: false, error: null, ...r });
    return { result: 'delivered', durationMs };
  }
  const giveUp = !r.retryable || lastAttempt;
  await settleDelivery(deps.pool, claim.row, {
    status: giveUp ? 'failed' : 'pending',
    retryable: r.retryable,
    error: r.error,
    httpStatus: r.httpStatus,
    exitCode: r.exitCode,
    outputTail: r.outputTail,
  });
  return { result: giveUp ? 'failed' : 'retrying', error: r.error, durationMs };
}

/** How long one attempt may hold a delivery: the channel's timeout, and time to record the outcome. */
function leaseSeconds(deps: NotifyBuildDeps): number {
  return deps.config.notifications.timeout + 30;
}
