// The arguments that run FC's walker expression (walker-expression.ts) over a jobset: the control
// record, the jobset's inputs, and the Nix options that restrict_eval and allow_ifd map to. The
// built-in evaluator runs it with nix-instantiate; nix-eval-jobs runs it in "root" mode.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputPaths, type EvalInput, type EvalJobsRequest } from './eval-types';
import { evaluatedPure, restrictedEvalOptions } from './restricted-eval';
import { WALKER_EXPRESSION } from './walker-expression';

/** The walker expression as a file in the work directory (named by its hash). */
export function walkerFile(workDir: string): string {
  const hash = createHash('sha256').update(WALKER_EXPRESSION).digest('hex').slice(0, 16);
  const file = join(workDir, `fc-walker-${hash}.nix`);
  if (!existsSync(file)) {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(file, WALKER_EXPRESSION);
  }
  return file;
}

function nixString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '\\${');
}

/** The `--arg fcNixInputs` value: each "nix" input's expression, verbatim. */
function nixInputsExpression(inputs: readonly EvalInput[]): string | undefined {
  const nix = inputs.filter((i) => i.type === 'nix');
  if (nix.length === 0) return undefined;
  return `{ ${nix.map((i) => `${nixString(i.name)} = (${i.value});`).join(' ')} }`;
}

function inputsJson(inputs: readonly EvalInput[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const i of inputs) {
    switch (i.type) {
      case 'nix':
        break;
      case 'string':
      case 'boolean':
        out[i.name] = { type: i.type, value: i.value };
        break;
      case 'path':
        out[i.name] = { type: i.type, path: i.path, uri: i.uri };
        break;
      case 'git':
      case 'checkout':
      case 'file':
      case 'build':
      case 'eval':
        out[i.name] = { ...i };
        break;
    }
  }
  return out;
}

/** The walker file and its arguments; `control` selects the mode (see walker-expression.ts). */
export function walkerArguments(
  request: EvalJobsRequest,
  walker: string,
  control: Readonly<Record<string, unknown>>,
): string[] {
  const { source, inputs } = request;
  // Restricted mode allows exactly this evaluation's own files: the walker expression and the
  // inputs (never the whole work directory, which holds every other jobset's checkouts).
  const allowed: string[] = [walker];
  for (const i of inputs) allowed.push(...inputPaths(i));
  const fcControl = {
    ...control,
    inputs: inputsJson(inputs),
    flake: source.kind === 'flake' ? source.flakeRef : null,
    flakeAttr: source.kind === 'flake' ? (source.attrPath ?? null) : null,
    src: source.kind === 'legacy' ? source.checkout : null,
    file: source.kind === 'legacy' ? source.file : null,
  };
  if (source.kind === 'legacy') allowed.push(source.checkout);
  else allowed.push(...source.allowedPaths);
  // Pure mode reads no file outside the store, not even the walker's.
  const root = evaluatedPure(request) ? ['-E', WALKER_EXPRESSION] : [walker];
  const args = [...root, '--argstr', 'fcControl', JSON.stringify(fcControl)];
  const nixInputs = nixInputsExpression(inputs);
  if (nixInputs) args.push('--arg', 'fcNixInputs', nixInputs);
  args.push('--option', 'restrict-eval', String(request.restrictEval));
  args.push('--option', 'allow-import-from-derivation', String(request.allowIfd));
  if (request.restrictEval) {
    args.push(...restrictedEvalOptions(source, request.experimentalFeatures ?? []));
    for (const p of allowed) args.push('-I', p);
  }
  return args;
}
