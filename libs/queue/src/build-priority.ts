// Hydra's build order: bumped builds first (global_priority), then meta.schedulingPriority (higher
// first), then lower build id. pg-boss fetches by priority (higher first), then creation time, so
// both priorities fold into its one integer; the build id orders jobs of equal priority.
const SCHEDULING_RANGE = 1_000_000;
const MAX_GLOBAL = 1000;

export function buildJobPriority(globalPriority: number, schedulingPriority: number): number {
  const scheduling = Math.max(
    -SCHEDULING_RANGE / 2 + 1,
    Math.min(SCHEDULING_RANGE / 2 - 1, schedulingPriority),
  );
  const global = Math.max(0, Math.min(MAX_GLOBAL, globalPriority));
  return global * SCHEDULING_RANGE + scheduling;
}

/**
 * The `startAfter` of a build's job: a moment long past (so the job is due at once) that grows with
 * the build id. Jobs sent in one transaction share pg-boss's creation time; its fetch index ends in
 * (priority DESC, created_on, start_after), so among equal priorities the lower build id comes first.
 */
export function buildJobStartAfter(buildId: number): Date {
  return new Date(Date.UTC(2000, 0, 1) + buildId);
}
