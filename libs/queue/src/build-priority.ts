// Hydra's build order: bumped builds first (global_priority), then meta.schedulingPriority (higher
// first), then lower build id. pg-boss fetches by priority (higher first), then creation order, so
// both priorities fold into its one integer.
const SCHEDULING_RANGE = 1_000_000;

export function buildJobPriority(globalPriority: number, schedulingPriority: number): number {
  const scheduling = Math.max(
    -SCHEDULING_RANGE / 2 + 1,
    Math.min(SCHEDULING_RANGE / 2 - 1, schedulingPriority),
  );
  const global = Math.max(0, Math.min(1000, globalPriority));
  return global * SCHEDULING_RANGE + scheduling;
}
