// How many database connections fc-queue-runner's pool may open. Each worker slot can hold a claim's
// transaction while it asks the pool for one more connection (the failed-paths and substitution
// checks, the log writer), and the cancel listener, heartbeats and notification worker need theirs:
// a pool smaller than that lets every slot wait for a connection another slot holds, and no build
// starts. The configured `database.max_connections` is raised to that floor, never lowered.
export function runnerPoolSize(configured: number, workers: number): number {
  return Math.max(configured, minimumRunnerPool(workers));
}

export function minimumRunnerPool(workers: number): number {
  return 2 * workers + 4;
}
