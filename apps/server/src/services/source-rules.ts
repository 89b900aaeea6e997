// libs/core's rules for a jobset's sources (git-source-rules.ts), applied to what the services write,
// so every way in refuses what fc-evaluator would: the API (whose schemas check them first, with the
// same rules) and the dashboard's forms (whose create-project form took `ext::sh -c ...`). Each
// problem is a ValidationError naming its field, as the API's own 400s do.
import {
  branchProblem,
  jobsetNameProblem,
  nixExpressionPathProblem,
  repositoryUrlProblem,
  ValidationError,
} from '@fc/core';

type Check = readonly [
  field: string,
  value: string | null | undefined,
  problem: (v: string) => string | undefined,
];

function refuse(checks: readonly Check[]): void {
  const fields = checks.flatMap(([field, value, problem]) => {
    const message = value === null || value === undefined ? undefined : problem(value);
    return message === undefined ? [] : [{ field, in: 'body' as const, message }];
  });
  if (fields.length === 0) return;
  throw new ValidationError(`invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    fields,
  });
}

export function refuseBadProjectSources(p: {
  readonly repositoryUrl?: string | undefined;
  readonly declarativeType?: string | null | undefined;
  readonly declarativeValue?: string | null | undefined;
  readonly declarativeBranch?: string | null | undefined;
}): void {
  refuse([
    ['repository_url', p.repositoryUrl, repositoryUrlProblem],
    ['declarative.value', p.declarativeType === 'git' ? p.declarativeValue : undefined, repositoryUrlProblem],
    ['declarative.branch', p.declarativeBranch, branchProblem],
  ]);
}

/** `flakeMode`: the jobset's, after the change (a flake's expression is checked by its own rule). */
export function refuseBadJobsetSources(j: {
  readonly name?: string | undefined;
  readonly branch?: string | null | undefined;
  readonly nixExpression?: string | undefined;
  readonly flakeMode: boolean;
}): void {
  refuse([
    ['name', j.name, jobsetNameProblem],
    ['branch', j.branch, branchProblem],
    ['nix_expression', j.flakeMode ? undefined : j.nixExpression, nixExpressionPathProblem],
  ]);
}
