// The typed job registry: every pg-boss queue FC uses, its payload schema and its queue options.
// Producers call sendJob; workers register a handler per queue, checked at boot (assertHandlers).
import { z } from 'zod';

export const QueueName = {
  EvaluateJobset: 'evaluate-jobset',
  BuildDerivation: 'build-derivation',
  NotifyBuild: 'notify-build',
  NotifyEvaluation: 'notify-evaluation',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const jobPayloadSchemas = {
  [QueueName.EvaluateJobset]: z.strictObject({
    jobsetId: z.number().int().positive(),
    force: z.boolean().default(false),
    reason: z.enum(['schedule', 'api', 'webhook', 'startup']).default('api'),
  }),
  [QueueName.BuildDerivation]: z.strictObject({
    buildId: z.number().int().positive(),
  }),
  [QueueName.NotifyBuild]: z.strictObject({
    buildId: z.number().int().positive(),
    event: z.enum(['queued', 'started', 'finished']),
  }),
  // A pull request's evaluation ended: its summary status, and its reused builds' statuses at its head.
  [QueueName.NotifyEvaluation]: z.strictObject({
    evaluationId: z.number().int().positive(),
  }),
} satisfies Record<QueueName, z.ZodType>;

export type JobPayload<Q extends QueueName> = z.output<(typeof jobPayloadSchemas)[Q]>;
export type JobInput<Q extends QueueName> = z.input<(typeof jobPayloadSchemas)[Q]>;

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);

/**
 * The queues each FC daemon (by its pg-boss instance name) always works. pg-boss records only the
 * queues a daemon consumes through work(); fc-queue-runner claims builds with its own fair-share
 * fetch loop, which pg-boss never sees, and records its work() workers only at its next heartbeat.
 */
export const DAEMON_QUEUES: Readonly<Record<string, readonly QueueName[]>> = {
  'fc-evaluator': [QueueName.EvaluateJobset],
  'fc-queue-runner': [QueueName.BuildDerivation, QueueName.NotifyBuild, QueueName.NotifyEvaluation],
};

export function parsePayload<Q extends QueueName>(queue: Q, data: unknown): JobPayload<Q> {
  return jobPayloadSchemas[queue].parse(data) as JobPayload<Q>;
}
