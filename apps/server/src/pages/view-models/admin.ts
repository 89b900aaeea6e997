// The admin pages' view models: system status, queues, failed jobs and deliveries, keys, builders,
// users, as display strings and links.
import type { ApiKeyRow, FailedDeliveryRow, RemoteBuilderRow, UserRow } from '@fc/db';
import { QueueName, type BossWarningRow, type QueueJobRow } from '@fc/queue';
import { isBuildStatusCode } from '@fc/core';
import type { SystemStatus } from '../../services/system.service';
import type { QueueSummary } from '../../services/queue-inspection.service';
import { formatAge } from '../../services/queue-health';
import { jobError, toQueueJobView } from '../../views/queue.view';
import { buildBadge, formatAgo, formatBytes, formatTime, paths } from './display';

export function systemView(st: SystemStatus, now = new Date()) {
  return {
    version: st.version,
    nodeVersion: st.nodeVersion,
    nixVersion: st.nixVersion ?? 'not found on this machine',
    schemaVersion: st.schemaVersion,
    database: `PostgreSQL ${st.database.version}, ${formatBytes(st.database.sizeBytes)}`,
    uptime: formatAge(st.uptimeSeconds),
    counts: Object.entries(st.counts).map(([name, n]) => ({ name, n })),
    daemons: st.daemons.map((d) => ({
      name: d.name,
      host: d.host,
      pid: d.pid,
      /** alive (heartbeat on time), stopped (gracefully), or silent (missed its heartbeats: crashed?). */
      state: d.alive
        ? { label: 'alive', tone: 'success' }
        : d.stoppedAt
          ? { label: 'stopped', tone: 'stopped' }
          : { label: 'silent', tone: 'failure' },
      heartbeat: formatAgo(d.heartbeatAt, now),
      heartbeatAt: formatTime(d.heartbeatAt),
      started: formatTime(d.startedAt),
      queues: d.queues.join(', '),
    })),
  };
}

export function queueRowView(q: QueueSummary, now = new Date()) {
  return {
    name: q.name,
    url: `/admin/queues/${encodeURIComponent(q.name)}`,
    waiting: q.waiting,
    deferred: q.deferred,
    retry: q.retrying,
    active: q.active,
    failed: q.failed,
    completedLastHour: q.completedLastHour,
    failedLastDay: q.failedLastDay,
    oldestWaiting: q.oldestWaitingAt ? formatAge((now.getTime() - q.oldestWaitingAt.getTime()) / 1000) : '',
    workers: q.workers,
    problems: q.problems,
  };
}

/** The admin page of one pg-boss job. */
export function queueJobUrl(queue: string, id: string): string {
  return `/admin/queues/${encodeURIComponent(queue)}/jobs/${encodeURIComponent(id)}`;
}

export function queueJobRowView(j: QueueJobRow, now = new Date()) {
  const v = toQueueJobView(j);
  return {
    id: j.id,
    url: queueJobUrl(j.queue, j.id),
    queue: j.queue,
    state: j.state,
    about: v.about,
    buildUrl: v.build ? paths.build(v.build.id) : null,
    buildId: v.build?.id ?? null,
    jobsetUrl: v.jobset ? paths.jobset(v.jobset.project, v.jobset.name) : null,
    jobsetName: v.jobset ? `${v.jobset.project}:${v.jobset.name}` : null,
    error: jobError(j.output) ?? '',
    attempts: `${j.retryCount + 1} of ${j.retryLimit + 1}`,
    created: formatAgo(j.createdOn, now),
    createdAt: formatTime(j.createdOn),
    finished: j.completedOn ? formatAgo(j.completedOn, now) : '',
    retryable: j.state === 'failed',
  };
}

/** Everything pg-boss keeps of a job, with what it is about, and the actions its state allows. */
export function queueJobDetailView(j: QueueJobRow, now = new Date()) {
  const v = toQueueJobView(j);
  const waiting = j.state === 'created' || j.state === 'retry' || j.state === 'active';
  const cancelsBuild = j.queue === QueueName.BuildDerivation && v.build !== null && j.buildFinished === false;
  const json = (x: unknown) => (x === null || x === undefined ? '' : JSON.stringify(x, null, 2));
  const time = (d: Date | null) => (d ? `${formatTime(d)} (${formatAgo(d, now)})` : '');
  return {
    ...queueJobRowView(j, now),
    queueUrl: `/admin/queues/${encodeURIComponent(j.queue)}?state=${j.state}`,
    buildStatus:
      j.buildId !== null && (!j.buildFinished || (j.buildStatus !== null && isBuildStatusCode(j.buildStatus)))
        ? buildBadge({
            finished: j.buildFinished ?? false,
            buildStatus: j.buildStatus,
            startedAt: j.buildStartedAt,
          })
        : null,
    facts: [
      ['State', j.state],
      ['Attempts', `${j.retryCount + 1} of ${j.retryLimit + 1}`],
      ['Retry delay', `${j.retryDelay} s${j.retryBackoff ? ', doubling each time' : ''}`],
      ['Priority', String(j.priority)],
      ['Expires after', `${j.expireSeconds} s per attempt`],
      ['Singleton key', j.singletonKey ?? ''],
      ['Group', j.groupId ?? ''],
      ['Created', time(j.createdOn)],
      ['Start after', time(j.startAfter)],
      ['Started', time(j.startedOn)],
      ['Last heartbeat', time(j.heartbeatOn)],
      ['Finished', time(j.completedOn)],
      ['Kept until', formatTime(j.keepUntil)],
    ].filter(([, value]) => value !== ''),
    data: json(j.data),
    output: json(j.output),
    actions: {
      retry: j.state === 'failed',
      resume: j.state === 'cancelled',
      cancel: waiting ? (cancelsBuild ? `Cancel build ${v.build!.id}` : 'Cancel the job') : null,
      delete: !waiting,
    },
  };
}

export function deliveryRowView(d: FailedDeliveryRow, now = new Date()) {
  return {
    id: d.id,
    buildId: d.buildId,
    buildUrl: paths.build(d.buildId),
    job: `${d.projectName}:${d.jobsetName}:${d.job}`,
    kind: d.kind,
    target: d.target,
    attempts: d.attempts,
    error: d.lastError ?? '',
    httpStatus: d.httpStatus,
    lastAttempt: formatAgo(d.lastAttemptAt, now),
    retryable: d.current,
  };
}

export function warningView(w: BossWarningRow, now = new Date()) {
  return { type: w.type, message: w.message, when: formatAgo(w.createdOn, now) };
}

export function apiKeyView(k: ApiKeyRow, now = new Date()) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.keyPrefix,
    role: k.role,
    created: formatTime(k.createdAt),
    lastUsed: k.lastUsedAt ? formatAgo(k.lastUsedAt, now) : 'never',
  };
}

export function builderView(b: RemoteBuilderRow) {
  return {
    id: b.id,
    name: b.name,
    uri: b.uri,
    systems: b.systems.join(', '),
    maxJobs: b.maxJobs,
    speedFactor: b.speedFactor,
    features: [...b.supportedFeatures, ...b.mandatoryFeatures.map((f) => `${f} (mandatory)`)].join(', '),
    enabled: b.enabled,
    /** The edit form's values. */
    form: {
      systems: b.systems.join(' '),
      supportedFeatures: b.supportedFeatures.join(' '),
      mandatoryFeatures: b.mandatoryFeatures.join(' '),
      sshKeyFile: b.sshKeyFile ?? '',
    },
  };
}

export function userView(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    fullName: u.fullName ?? '',
    email: u.email ?? '',
    roles: u.roles,
    hasPassword: u.hasPassword,
    created: formatTime(u.createdAt),
  };
}
