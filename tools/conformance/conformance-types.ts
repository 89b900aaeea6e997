// The conformance runner's contract with its check modules (tools/conformance/*-checks.ts): each
// exports `checks`, run in order against one database, each throwing on a mismatch.
import type { Pool } from '@fc/db';
import type { Boss } from '@fc/queue';

export interface FixtureJobset {
  /** Path of the Nix file (legacy) or flake directory (flake) inside the fixture repository. */
  readonly expression: string;
  readonly flake?: boolean;
  /** Extra jobset inputs (e.g. a git input). */
  readonly inputs?: readonly {
    name: string;
    type: 'git' | 'string' | 'boolean' | 'nix' | 'path';
    value: string;
  }[];
  /** Use this repository instead of the shared fixture repository. */
  readonly repositoryPath?: string;
}

export interface EvaluatedFixture {
  readonly jobsetId: number;
  readonly evaluationId: number;
  readonly outcome: string;
  /** job name → build row (id, status, meta...) */
  readonly builds: ReadonlyMap<string, Record<string, unknown>>;
  /** job name → error message */
  readonly errors: ReadonlyMap<string, string>;
  /** aggregate job name → sorted constituent job names */
  readonly constituents: ReadonlyMap<string, readonly string[]>;
  /** the evaluation row */
  readonly evaluation: Record<string, unknown>;
}

export interface ConformanceContext {
  readonly pool: Pool;
  readonly boss: Boss;
  /** A rendered, writable copy of the fixtures directory (config.nix rendered), committed to git. */
  readonly jobsDir: string;
  /** A scratch directory. */
  readonly scratchDir: string;
  /** Creates a project and jobset for the fixture. */
  createJobset(fixture: FixtureJobset): Promise<number>;
  /** Evaluates a jobset through the real evaluator code and reads back what it recorded. */
  evaluate(jobsetId: number, options?: { force?: boolean }): Promise<EvaluatedFixture>;
}

export interface ConformanceCheck {
  /** Shown in the report, e.g. "basic.nix: 3 jobs". */
  readonly name: string;
  run(ctx: ConformanceContext): Promise<void>;
}

/** Throws with `message` unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

export function sameSet(actual: Iterable<string>, expected: Iterable<string>, what: string): void {
  const a = [...actual].sort();
  const e = [...expected].sort();
  check(
    JSON.stringify(a) === JSON.stringify(e),
    `${what}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`,
  );
}
