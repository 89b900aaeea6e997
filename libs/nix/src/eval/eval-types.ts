// What a jobset evaluation takes and gives, whichever evaluator runs it.

/** A jobset input as the evaluator passes it to Nix (Hydra's input types). */
export type EvalInput =
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'boolean'; readonly value: boolean }
  /** A Nix expression, passed verbatim. */
  | { readonly name: string; readonly type: 'nix'; readonly value: string }
  /** A local directory, copied into the store (without .git). */
  | { readonly name: string; readonly type: 'path'; readonly path: string; readonly uri: string }
  /** A git checkout: `{ outPath, rev, revCount, shortRev }` as Hydra passes it; `deep` keeps `.git`. */
  | {
      readonly name: string;
      readonly type: 'git';
      readonly path: string;
      readonly uri: string;
      readonly rev: string;
      readonly revCount: number;
      readonly shortRev: string;
      /** `git describe --always` (Hydra's gitTag). */
      readonly gitTag?: string;
      readonly deep?: boolean;
    }
  /** Another version control system's checkout, copied into the store without `exclude`; `attrs` beside outPath. */
  | {
      readonly name: string;
      readonly type: 'checkout';
      readonly path: string;
      readonly exclude: readonly string[];
      readonly attrs: Readonly<Record<string, string | number>>;
    }
  /**
   * A file FC wrote (a githubpulls or giteapulls input: the open pull requests' JSON), copied into the
   * store under its own name; `attrs` beside outPath.
   */
  | {
      readonly name: string;
      readonly type: 'file';
      readonly path: string;
      readonly attrs: Readonly<Record<string, string | number>>;
    }
  /** The main output of another build (Hydra's `build` input), `attrs` beside outPath. */
  | {
      readonly name: string;
      readonly type: 'build';
      readonly storePath: string;
      readonly attrs: Readonly<Record<string, string | number>>;
    }
  /** The outputs of an evaluation's succeeded builds (Hydra's `eval` input): job name → output. */
  | { readonly name: string; readonly type: 'eval'; readonly jobs: Readonly<Record<string, string>> };

/** The files an input lets a restricted evaluation read. */
export function inputPaths(input: EvalInput): readonly string[] {
  switch (input.type) {
    case 'git':
    case 'path':
    case 'checkout':
    case 'file':
      return [input.path];
    case 'build': {
      const drv = input.attrs['drvPath'];
      return typeof drv === 'string' ? [input.storePath, drv] : [input.storePath];
    }
    case 'eval':
      return Object.values(input.jobs);
    case 'string':
    case 'boolean':
    case 'nix':
      return [];
  }
}

export type EvalSource =
  /** A Nix file inside a checkout; a function's arguments come from the inputs. */
  | { readonly kind: 'legacy'; readonly checkout: string; readonly file: string }
  /** A locked flake reference: `hydraJobs`, else `checks`; or the output at `attrPath`. */
  | {
      readonly kind: 'flake';
      readonly flakeRef: string;
      readonly allowedPaths: readonly string[];
      /** An output attribute path (`packages.x86_64-linux` = ['packages', 'x86_64-linux']). */
      readonly attrPath?: readonly string[];
    };

export interface EvalJobsRequest {
  /** A directory the evaluator may write its helper expression to. */
  readonly workDir: string;
  readonly source: EvalSource;
  readonly inputs: readonly EvalInput[];
  readonly restrictEval: boolean;
  /**
   * Nix's experimental features in the evaluator's environment; with restrictEval a legacy jobset is
   * evaluated with these but `flakes` (see restricted-eval.ts). evaluateJobset reads them.
   */
  readonly experimentalFeatures?: readonly string[];
  readonly allowIfd: boolean;
  /** The whole evaluation's deadline in ms (evaluator.nix_timeout); the process tree is killed. */
  readonly timeoutMs: number;
  /** Called as jobs are evaluated, with the count so far. */
  readonly onProgress?: (jobsEvaluated: number) => void;
  /**
   * Receives each job as it is evaluated, each name once (evaluateJobset passes the aggregates last,
   * resolved). While a promise it returns is pending the evaluator's output is not read, so a slow
   * consumer holds Nix rather than filling memory; a rejection ends the evaluation with that error.
   */
  readonly onJob: (job: EvaluatedJob) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Where child process groups are recorded while they run (see process-groups.ts). */
  readonly processGroupDir?: string;
}

export type Constituent = { readonly name: string } | { readonly drvPath: string };

/** One job, with its metadata joined as Hydra joins it. */
export interface EvaluatedJob {
  readonly attr: string;
  readonly nixName: string;
  readonly drvPath: string;
  readonly system: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly description: string | null;
  readonly homepage: string | null;
  readonly license: string | null;
  readonly maintainers: string | null;
  readonly schedulingPriority: number;
  readonly timeout: number;
  readonly maxSilent: number;
  readonly isChannel: boolean;
  readonly requiredFeatures: readonly string[];
  readonly isAggregate?: boolean;
  readonly globConstituents?: boolean;
  readonly constituents?: readonly Constituent[];
}

/** What an evaluator says besides its jobs (those went to `onJob`). */
export interface EvalJobsResult {
  /** Job name → Nix's error message, verbatim. */
  readonly errors: ReadonlyMap<string, string>;
  /** Aggregates the evaluator itself found broken (nix-eval-jobs), in its order → their error. */
  readonly aggregateErrors?: ReadonlyMap<string, string>;
  /** What the evaluator itself logged about broken aggregates (nix-eval-jobs). */
  readonly aggregateLog?: readonly { readonly level: 'error' | 'warn'; readonly message: string }[];
  /** How many nix processes the evaluation took (1 when nothing broke the walk). */
  readonly processes: number;
}

/** The whole jobset failed to evaluate (a syntax error, a missing file, the deadline). */
export class JobsetEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobsetEvaluationError';
  }
}
