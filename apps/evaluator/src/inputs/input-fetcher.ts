// One fetcher per Hydra input type, behind one interface: each turns a jobset input into what the
// evaluation passes to Nix and the revision the unchanged-input check hashes.
import type { JobsetInputType } from '@fc/core';
import type { Queryable } from '@fc/db';
import type { ForgeAccount, ForgeClient } from '@fc/forges';
import type { EvalInput } from '@fc/nix';

export interface InputToFetch {
  readonly name: string;
  readonly value: string;
  /** FC's separate branch field (git); null when the value says it, or for other types. */
  readonly branch: string | null;
}

export interface FetchContext {
  /** A directory of this input's own, kept between evaluations (for incremental fetches). */
  readonly dir: string;
  readonly timeoutMs: number;
  readonly processGroupDir: string;
  /** For build and eval inputs (other jobsets' results). */
  readonly db: Queryable;
  /** The jobset being evaluated (a build input's default project and jobset). */
  readonly projectName: string;
  readonly jobsetName: string;
  /** The forges' APIs (githubpulls and giteapulls inputs); absent: such inputs fail. */
  readonly forges?: EvaluatorForges | undefined;
}

export interface EvaluatorForges {
  readonly client: ForgeClient;
  readonly accounts: readonly ForgeAccount[];
}

export interface FetchedInput {
  /** What Nix gets; absent when the input has no value yet (a build input with no succeeded build). */
  readonly input: EvalInput | null;
  /** Recorded with the evaluation, and hashed: unchanged revisions give an unchanged evaluation. */
  readonly revision: Readonly<Record<string, unknown>>;
}

export type InputFetcher = (input: InputToFetch, context: FetchContext) => Promise<FetchedInput>;

export type InputFetchers = Readonly<Record<JobsetInputType, InputFetcher>>;
