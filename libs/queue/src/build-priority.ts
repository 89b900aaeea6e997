// Hydra's build order: bumped builds first (global_priority), then meta.schedulingPriority (higher
// first), then lower build id. pg-boss fetches by priority (higher first), then creation time, so
// both priorities fold into its one integer. Jobs sent in one transaction share their creation time;
// among those the fetch index returns them in insertion order, which is build id order when builds
// are enqueued as they are inserted. (A `startAfter` in the past cannot carry the id: pg-boss derives
// a queued job's retention from it and would purge the job.)
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

/** The lowest job priority of a bumped build (global priority 1 or more, whatever its scheduling priority). */
export const BUMPED_MIN_PRIORITY = buildJobPriority(1, -SCHEDULING_RANGE);

// Each build job carries its jobset as its pg-boss group, so a claim can take the next build of one
// jobset (group-fetch.ts): how the queue runners share builders between jobsets.
export function buildJobGroup(jobsetId: number): { id: string } {
  return { id: `jobset-${jobsetId}` };
}
