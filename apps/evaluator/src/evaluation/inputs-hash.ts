// Unchanged-input detection: one hash over every input revision and every setting that changes the
// result. Equal to the last evaluation's and not forced → the evaluation is `unchanged`.
import { createHash } from 'node:crypto';

export interface InputsFingerprint {
  readonly flakeMode: boolean;
  readonly nixExpression: string;
  /** The project repository's revision; null when the expression lives in an input. */
  readonly revision: string | null;
  readonly nixExpressionInput?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly restrictEval: boolean;
  readonly allowIfd: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function inputsHash(f: InputsFingerprint): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(f)))
    .digest('hex');
}
