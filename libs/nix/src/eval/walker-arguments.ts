// The arguments that run FC's walker expression (walker-expression.ts) over a jobset: the control
// record, the jobset's inputs, and the Nix options that restrict_eval and allow_ifd map to. The
// built-in evaluator runs it with nix-instantiate, the control record on stdin (walkerInvocation): it
// names every job already recorded when a walk resumes after a crash, and Linux refuses a single
// argument past 128 KiB (E2BIG: about 5,000 job names). nix-eval-jobs runs it in "root" mode, with
// the control record as an argument (it takes no expression on stdin; that record skips nothing).
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

/** The control record the walker reads (`fcControl`): the mode and the jobset's source and inputs. */
function controlRecord(request: EvalJobsRequest, control: Readonly<Record<string, unknown>>): string {
  const { source, inputs } = request;
  return JSON.stringify({
    ...control,
    inputs: inputsJson(inputs),
    flake: source.kind === 'flake' ? source.flakeRef : null,
    flakeAttr: source.kind === 'flake' ? (source.attrPath ?? null) : null,
    src: source.kind === 'legacy' ? source.checkout : null,
    file: source.kind === 'legacy' ? source.file : null,
  });
}

/** The Nix options and search path of the evaluation (restrict_eval, allow_ifd). */
function evaluationOptions(request: EvalJobsRequest, walker: string): string[] {
  const { source, inputs } = request;
  // Restricted mode allows exactly this evaluation's own files: the walker expression and the
  // inputs (never the whole work directory, which holds every other jobset's checkouts).
  const allowed: string[] = [walker];
  for (const i of inputs) allowed.push(...inputPaths(i));
  if (source.kind === 'legacy') allowed.push(source.checkout);
  else allowed.push(...source.allowedPaths);
  const args = ['--option', 'restrict-eval', String(request.restrictEval)];
  args.push('--option', 'allow-import-from-derivation', String(request.allowIfd));
  if (request.restrictEval) {
    args.push(...restrictedEvalOptions(source, request.experimentalFeatures ?? []));
    for (const p of allowed) args.push('-I', p);
  }
  return args;
}

/**
 * nix-instantiate's arguments and standard input for a walk; `control` selects the mode (see
 * walker-expression.ts). The expression on stdin calls the walker with the control record, however
 * long it is; the arguments stay short (the jobset's "nix" inputs are the only ones from the user).
 */
export function walkerInvocation(
  request: EvalJobsRequest,
  walker: string,
  control: Readonly<Record<string, unknown>>,
): { readonly args: string[]; readonly stdin: string } {
  // Pure mode reads no file outside the store, not even the walker's: it comes on stdin too. The
  // control record is on the last line, so that Nix's messages quoting a line of the walker never
  // quote it.
  const walkerExpression = evaluatedPure(request) ? `(\n${WALKER_EXPRESSION}\n)` : `(import ${nixPath(walker)})`;
  const stdin =
    `{ fcNixInputs, ... }: ${walkerExpression} { inherit fcNixInputs; fcControl =\n` +
    `${nixString(controlRecord(request, control))}; }\n`;
  // nix-instantiate calls the expression with --arg values only when there are some: always one.
  const args = ['--arg', 'fcNixInputs', nixInputsExpression(request.inputs) ?? '{ }'];
  return { args: [...args, ...evaluationOptions(request, walker), '-'], stdin };
}

/** An absolute path as a Nix path literal (a path with characters Nix's grammar refuses: a string). */
function nixPath(path: string): string {
  return /^(\/[a-zA-Z0-9._+-]+)+$/.test(path) ? path : `(/. + ${nixString(path)})`;
}

/** The walker file and its arguments, for nix-eval-jobs; `control` selects the mode (see walker-expression.ts). */
export function walkerArguments(
  request: EvalJobsRequest,
  walker: string,
  control: Readonly<Record<string, unknown>>,
): string[] {
  // Pure mode reads no file outside the store, not even the walker's.
  const root = evaluatedPure(request) ? ['-E', WALKER_EXPRESSION] : [walker];
  const args = [...root, '--argstr', 'fcControl', controlRecord(request, control)];
  const nixInputs = nixInputsExpression(request.inputs);
  if (nixInputs) args.push('--arg', 'fcNixInputs', nixInputs);
  return [...args, ...evaluationOptions(request, walker)];
}
