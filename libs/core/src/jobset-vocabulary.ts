// The words of projects, jobsets and evaluations, once: what the API accepts, the database's check
// constraints hold and the evaluator reads (input types: ./input-types.ts).

/** A jobset's state (Hydra: enabled 1, disabled 0, one-shot 2, one-at-a-time 3). */
export const JOBSET_STATES = ['enabled', 'disabled', 'one-shot', 'one-at-a-time'] as const;
export type JobsetState = (typeof JOBSET_STATES)[number];

/** Hydra's numeric jobset states (a declarative spec may give them): index → state. */
export const JOBSET_STATE_OF_HYDRA_CODE: readonly JobsetState[] = [
  'disabled',
  'enabled',
  'one-shot',
  'one-at-a-time',
];

/** Where a declarative project's spec file can live. */
export const DECLARATIVE_INPUT_TYPES = ['git', 'path'] as const;
export type DeclarativeInputType = (typeof DECLARATIVE_INPUT_TYPES)[number];

/** Which commit statuses a project's pull-request builds post: per job, one per evaluation, or both. */
export const PULL_REQUEST_STATUS_MODES = ['jobs', 'summary', 'both'] as const;
export type PullRequestStatusMode = (typeof PULL_REQUEST_STATUS_MODES)[number];

/** An evaluation's status. */
export const EVALUATION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'unchanged'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

/** Names of projects, jobsets, channels, users and roles: 1-64 letters, digits, ".", "_" or "-". */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const NAME_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';

/** An input's name is the Nix identifier it is passed to the expression as. */
export const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
export const INPUT_NAME_RULE = 'must be a Nix identifier';
