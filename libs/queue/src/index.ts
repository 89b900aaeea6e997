export {
  QueueName,
  jobPayloadSchemas,
  parsePayload,
  ALL_QUEUES,
  type JobPayload,
  type JobInput,
} from './job-registry';
export {
  createBoss,
  ensureQueues,
  queueDefinitions,
  bossDb,
  sendJob,
  BOSS_SCHEMA,
  BUILD_HEARTBEAT_SECONDS,
  type Boss,
  type BossOptions,
  type QueueSettings,
} from './boss';
export { buildJobPriority, buildJobGroup, BUMPED_MIN_PRIORITY } from './build-priority';
export { consumeQueueInTurns, CLAIM_LOCK_SQL, type FetchTurn, type TurnsConsumer } from './consume-in-turns';
export { activeGroupSeconds, ACTIVE_GROUP_TIME_SQL } from './active-group-time';
export {
  fetchGroupJob,
  GROUP_FETCH_INDEX,
  GROUP_FETCH_INDEX_SQL,
  GROUP_FETCH_SQL,
  type ClaimedJob,
} from './group-fetch';
export { consumeQueue, type ConsumeOptions, type QueueConsumer, type QueueJob } from './consume-queue';
export { requestEvaluation, evaluationSingletonKey } from './evaluation-trigger';
export { queueJobCounts, QUEUE_JOB_COUNTS_SQL } from './queue-job-counts';
export {
  queueOverview,
  listQueueJobs,
  findQueueJob,
  findJobInQueues,
  findBuildQueueJob,
  daemonInstances,
  bossWarnings,
  INSPECTED_JOB_STATES,
  type InspectedJobState,
  type QueueOverviewRow,
  type QueueJobRow,
  type QueueJobCursor,
  type DaemonInstanceRow,
  type BossWarningRow,
} from './queue-inspection-queries';
export { DRAIN_SECONDS } from './drain';
export {
  superviseAfterOutages,
  mayJudgeHeartbeats,
  HEARTBEAT_TOLERANCE_SECONDS,
  type Supervision,
} from './outage-aware-supervision';
