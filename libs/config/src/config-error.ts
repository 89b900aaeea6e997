export interface ConfigProblem {
  /** Dotted key path, e.g. `server.port`. */
  readonly key: string;
  /** Where the value came from: a file path, or the environment variable's name. */
  readonly source: string | undefined;
  readonly message: string;
}

/** One error for every bad key at once. Never contains a value. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.key}: ${p.message}${p.source ? ` (from ${p.source})` : ''}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
