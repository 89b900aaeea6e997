// How long a stopping daemon (SIGTERM) lets its running work finish before handing it back to the
// queue: fc-queue-runner's builds and fc-evaluator's evaluations (a hung git fetch included).
export const DRAIN_SECONDS = 10;
