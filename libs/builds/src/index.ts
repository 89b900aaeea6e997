// Every change of a build's state, each in the caller's transaction with what goes with it (the
// pg-boss job, the notify-build job, Hydra's NOTIFY events). Nothing else writes a build's status.
export {
  HydraChannel,
  hydraEvent,
  stepLogUrl,
  buildFinishedEvents,
  publishEvents,
  type HydraEvent,
} from './hydra-events';
export { enqueueBuild, deferBuild, newBuildJobId, type QueuedBuild } from './enqueue-build';
export { startBuild } from './start-build';
export { NO_PENDING_NOTICES, publishEvaluationNotice, type BuildNotices } from './build-notices';
export { recordBuildStep, endBusySteps, type BuildStepInput, type StepRecordOptions } from './build-steps';
export {
  finishBuild,
  publishFinished,
  type BuildFinish,
  type FailedStep,
  type MetricInput,
  type OutputSize,
  type ProductInput,
} from './finish-build';
export {
  BUILD_CANCEL_CHANNEL,
  cancelBuild,
  restartBuild,
  restartEvaluationBuilds,
  bumpBuild,
} from './queue-control';
export { handBackBuild, abortLostBuild } from './hand-back-build';
export {
  clearAllFailedPaths,
  countFailedPaths,
  failedDerivation,
  failedPathsAmong,
  hasFailedPaths,
  type FailedPath,
} from './sql/failed-path-queries';
export { retryFailedJob, type RetryOutcome } from './failed-job-retry';
export {
  cachedFailureLogLines,
  dependentFailureMessage,
  failedConstituentMessage,
  stoppedDependentMessage,
} from './failure-notices';
export {
  DEPENDENCY_FAILED_CHANNEL,
  parseDependencyFailureSignal,
  signalRunningDependents,
  type DependencyFailure,
  type DependencyFailureSignal,
} from './running-dependents';
export {
  cancelQueueJob,
  resumeCancelledJob,
  type CancelOutcome,
  type ResumeOutcome,
} from './queue-job-cancel';
export {
  recordNewBuilds,
  announceReusedBuilds,
  type NewBuildsScope,
  type NewBuildRow,
  type CachedBuildResult,
} from './record-new-builds';
/** The bulk statement under recordNewBuilds alone, publishing nothing: for the insert benchmark. */
export { insertBuilds } from './sql/insert-builds';
export {
  evaluationTraceId,
  announceEvaluationStarted,
  announceEvaluationFailed,
  announceEvaluationCached,
  announceEvaluationAdded,
} from './evaluation-events';
export {
  statusOfNixRun,
  statusOfDependent,
  statusOfOutputs,
  hasOutputs,
  type NixRunResult,
  type NixRunVerdict,
  type NixStepResult,
  type OutputsResult,
} from './nix-result-status';
export {
  jobsetsInFairOrder,
  fairFetchTurns,
  jobsetShares,
  FAIR_SHARE_WINDOW_SECONDS,
  type JobsetShare,
} from './fair-share';
export { nextFairFetchTurns, forgetOldBuilderTime } from './fair-share-turns';
