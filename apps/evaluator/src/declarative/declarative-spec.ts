// Hydra's declarative jobset specs, checked whole before anything is written: a spec is a JSON object
// of jobset fields (enabled, hidden, description, nixexprinput and nixexprpath, or type 1 and flake,
// checkinterval, schedulingshares, keepnr, inputs; enableemail and emailoverride are accepted and
// ignored, as FC sends no e-mail; other keys, such as visible or name, are ignored as Hydra ignores
// them; FC's own keys build_pull_requests, pull_request_trusted_users and pull_request_statuses make
// the jobset the project's pull-request template). A spec file is either one such object (it configures ".jobsets", whose "jobsets" job then
// builds the object of jobsets) or, "static", an object whose every value is an object: the jobsets
// themselves. Every problem is a DeclarativeSpecError naming the jobset and field.
import {
  EXPRESSION_INPUT_TYPES,
  JOBSET_INPUT_TYPES,
  JOBSET_STATE_OF_HYDRA_CODE,
  PULL_REQUEST_STATUS_MODES,
  parseGitInputValue,
  parsePullsInputValue,
  vcsInputValueProblem,
  type PullRequestStatusMode,
} from '@fc/core';
import {
  DECLARATIVE_JOBSETS_JOBSET,
  type DeclarativeJobsetFields,
  type JobsetInputFields,
  type JobsetState,
} from '@fc/db';
import { flakeAsGitInput, FLAKE_INPUT } from './flake-reference';

export class DeclarativeSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeclarativeSpecError';
  }
}

/**
 * FC's pull-request keys on a jobset of a spec: `build_pull_requests: true` makes it the project's
 * template and turns pull-request builds on (false turns them off); the other two set the project's
 * trusted users and status mode with it.
 */
export interface DeclarativePullRequests {
  readonly build: boolean;
  readonly trustedUsers?: readonly string[] | undefined;
  readonly statuses?: PullRequestStatusMode | undefined;
}

export interface DeclarativeJobset {
  readonly fields: DeclarativeJobsetFields;
  readonly inputs: readonly JobsetInputFields[];
  readonly pullRequests?: DeclarativePullRequests | undefined;
}

const JOBSET_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
/** Hydra's jobset states by number (Jobsets.enabled). */
const STATES = JOBSET_STATE_OF_HYDRA_CODE;
const KNOWN_KEYS = new Set([
  'enabled',
  'hidden',
  'description',
  'nixexprinput',
  'nixexprpath',
  'checkinterval',
  'schedulingshares',
  'keepnr',
  'inputs',
  'type',
  'flake',
  'enableemail',
  'emailoverride',
  'enable_dynamic_run_command',
  'build_pull_requests',
  'pull_request_trusted_users',
  'pull_request_statuses',
]);
const IGNORED_KEYS = new Set(['enableemail', 'emailoverride']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Parses a spec file's text; `what` names it in the error. */
export function parseSpecJson(text: string, what: string): unknown {
  let spec: unknown;
  try {
    spec = JSON.parse(text) as unknown;
  } catch (e) {
    throw new DeclarativeSpecError(
      `${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const nul = pathWithNul(spec, []);
  if (nul !== undefined) {
    throw new DeclarativeSpecError(`${what}: ${nul.join('.') || '(root)'} must not contain NUL characters`);
  }
  return spec;
}

/** Where a string (or a key) holds a NUL character, which PostgreSQL cannot store. */
function pathWithNul(v: unknown, path: readonly string[]): readonly string[] | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path : undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const found = pathWithNul(x, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('\u0000')) return [...path, JSON.stringify(k)];
      const found = pathWithNul(x, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Hydra's test: a static spec is an object whose every value is an object (the jobsets themselves). */
export function isStaticSpec(spec: unknown): boolean {
  return isObject(spec) && Object.values(spec).every(isObject);
}

function integer(where: string, key: string, v: Json, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 2 ** 31 - 1) {
    throw new DeclarativeSpecError(`${where}: ${key} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

function flag(where: string, key: string, v: Json): boolean {
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw new DeclarativeSpecError(`${where}: ${key} must be true, false, 0 or 1, got ${show(v)}`);
}

function state(where: string, v: Json): JobsetState {
  if (v === true) return 'enabled';
  if (v === false) return 'disabled';
  const s = typeof v === 'number' && Number.isInteger(v) ? STATES[v] : undefined;
  if (s === undefined) {
    throw new DeclarativeSpecError(
      `${where}: enabled must be 0 (disabled), 1 (enabled), 2 (one-shot) or 3 (one-at-a-time), got ${show(v)}`,
    );
  }
  return s;
}

function text(where: string, key: string, v: Json): string {
  if (typeof v !== 'string')
    throw new DeclarativeSpecError(`${where}: ${key} must be a string, got ${show(v)}`);
  return v;
}

function input(where: string, name: string, v: Json): JobsetInputFields {
  const at = `${where}: input "${name}"`;
  if (!INPUT_NAME.test(name)) throw new DeclarativeSpecError(`${at}: the name must be a Nix identifier`);
  if (!isObject(v)) throw new DeclarativeSpecError(`${at} must be an object with type and value`);
  // FC's "secret": true hides the value from those who may not edit the project, as the API's flag.
  const secret = v['secret'];
  if (secret !== undefined && typeof secret !== 'boolean') {
    throw new DeclarativeSpecError(`${at}: secret must be true or false, got ${show(secret)}`);
  }
  const fields = inputFields(at, name, v);
  return secret === true ? { ...fields, secret: true } : fields;
}

function inputFields(at: string, name: string, v: Record<string, Json>): JobsetInputFields {
  // Hydra reads type and value (and emailresponsible); other keys are ignored.
  const type = v['type'];
  const raw = v['value'];
  const value = typeof raw === 'boolean' || typeof raw === 'number' ? String(raw) : raw;
  if (typeof value !== 'string')
    throw new DeclarativeSpecError(`${at}: value must be a string, got ${show(raw)}`);
  switch (type) {
    case 'string':
    case 'nix':
      return { name, type, value, branch: null };
    case 'boolean':
      if (value !== 'true' && value !== 'false') {
        throw new DeclarativeSpecError(`${at}: a boolean value must be "true" or "false", got ${show(raw)}`);
      }
      return { name, type, value, branch: null };
    case 'path':
      if (!value.startsWith('/')) {
        throw new DeclarativeSpecError(`${at}: a path value must be an absolute path, got ${show(value)}`);
      }
      return { name, type, value, branch: null };
    case 'git': {
      // Hydra's git value: "URL [BRANCH|REV] [deep]"; a URL and branch alone are kept apart (FC's fields).
      let git;
      try {
        git = parseGitInputValue(value);
      } catch (e) {
        throw new DeclarativeSpecError(`${at}: ${e instanceof Error ? e.message : String(e)}`);
      }
      return git.rev === null && !git.deep
        ? { name, type, value: git.url, branch: git.branch }
        : { name, type, value: value.trim(), branch: null };
    }
    case 'hg':
    case 'svn':
    case 'svn-checkout':
    case 'bzr':
    case 'bzr-checkout':
    case 'darcs':
      if (vcsInputValueProblem(value) !== undefined) {
        throw new DeclarativeSpecError(
          `${at}: a ${type} value is "URL [REVISION]" not starting with "-": ${vcsInputValueProblem(value)}`,
        );
      }
      return { name, type, value: value.trim(), branch: null };
    case 'githubpulls':
    case 'giteapulls':
      try {
        parsePullsInputValue(type, value);
      } catch (e) {
        throw new DeclarativeSpecError(`${at}: ${e instanceof Error ? e.message : String(e)}`);
      }
      return { name, type, value: value.trim(), branch: null };
    case 'build':
    case 'eval':
      if (!/^[^:\s]+(:[^:\s]+){0,2}$/.test(value.trim())) {
        throw new DeclarativeSpecError(
          `${at}: a ${type} value is "PROJECT:JOBSET${type === 'build' ? ':JOB' : ''}"`,
        );
      }
      return { name, type, value: value.trim(), branch: null };
    default:
      throw new DeclarativeSpecError(
        `${at}: type ${show(type)} is not one of Hydra's input types (${JOBSET_INPUT_TYPES.join(', ')})`,
      );
  }
}

function pullRequestKeys(
  where: string,
  name: string,
  v: (key: string) => Json | undefined,
): DeclarativePullRequests | undefined {
  const build = v('build_pull_requests');
  const users = v('pull_request_trusted_users');
  const statuses = v('pull_request_statuses');
  if (build === undefined) {
    const other =
      users !== undefined
        ? 'pull_request_trusted_users'
        : statuses !== undefined
          ? 'pull_request_statuses'
          : null;
    if (other !== null) throw new DeclarativeSpecError(`${where}: ${other} goes with build_pull_requests`);
    return undefined;
  }
  if (name === DECLARATIVE_JOBSETS_JOBSET) {
    throw new DeclarativeSpecError(`${where}: the spec's own jobset cannot be the pull-request template`);
  }
  let trustedUsers: string[] | undefined;
  if (users !== undefined) {
    if (!Array.isArray(users) || users.some((u) => typeof u !== 'string' || u === '' || u.length > 100)) {
      throw new DeclarativeSpecError(
        `${where}: pull_request_trusted_users must be a list of forge logins (1-100 characters), got ${show(users)}`,
      );
    }
    trustedUsers = [...new Set(users as string[])];
  }
  if (statuses !== undefined && !PULL_REQUEST_STATUS_MODES.includes(statuses as PullRequestStatusMode)) {
    throw new DeclarativeSpecError(
      `${where}: pull_request_statuses must be one of ${PULL_REQUEST_STATUS_MODES.join(', ')}, got ${show(statuses)}`,
    );
  }
  return {
    build: flag(where, 'build_pull_requests', build),
    trustedUsers,
    statuses: statuses as PullRequestStatusMode | undefined,
  };
}

/** One jobset's spec, checked. */
export function parseJobsetSpec(name: string, spec: unknown): DeclarativeJobset {
  const where = `jobset "${name}"`;
  if (!JOBSET_NAME.test(name)) {
    throw new DeclarativeSpecError(`${where}: the name must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  if (!isObject(spec)) throw new DeclarativeSpecError(`${where} must be an object, got ${show(spec)}`);
  // Keys Hydra does not take (visible, name, …) are ignored, as Hydra's update of the jobset keeps them out.
  const v = (key: string): Json | undefined =>
    KNOWN_KEYS.has(key) && !IGNORED_KEYS.has(key) ? (spec[key] ?? undefined) : undefined;
  const type = v('type');
  if (type !== undefined && type !== 0 && type !== 1 && type !== 'legacy' && type !== 'flake') {
    throw new DeclarativeSpecError(`${where}: type must be 0 (legacy) or 1 (flake), got ${show(type)}`);
  }
  const rawInputs = v('inputs') ?? {};
  if (!isObject(rawInputs)) throw new DeclarativeSpecError(`${where}: inputs must be an object of inputs`);
  const inputs = Object.entries(rawInputs).map(([n, i]) => input(where, n, i));
  const source =
    type === 1 || type === 'flake' ? flakeSource(where, v('flake'), inputs) : legacySource(where, v, inputs);
  const optional = <T>(key: string, parse: (x: Json) => T): T | undefined => {
    const x = v(key);
    return x === undefined ? undefined : parse(x);
  };
  return {
    fields: {
      name,
      ...source.fields,
      description: optional('description', (x) => text(where, 'description', x)),
      state: optional('enabled', (x) => state(where, x)),
      hidden: optional('hidden', (x) => flag(where, 'hidden', x)),
      checkInterval: optional('checkinterval', (x) => integer(where, 'checkinterval', x, 0)),
      schedulingShares: optional('schedulingshares', (x) => integer(where, 'schedulingshares', x, 1)),
      keepNr: optional('keepnr', (x) => integer(where, 'keepnr', x, 0)),
      // Refused, when present at all (as Hydra), unless the server and the project allow it.
      enableDynamicRunCommand: optional('enable_dynamic_run_command', (x) =>
        flag(where, 'enable_dynamic_run_command', x),
      ),
    },
    inputs: source.inputs,
    pullRequests: pullRequestKeys(where, name, v),
  };
}

type SourceFields = Pick<DeclarativeJobsetFields, 'nixExpression' | 'nixExpressionInput' | 'flakeMode'>;

/** Hydra's type 0: nixexprinput (a repository or path input) and nixexprpath inside it. */
function legacySource(
  where: string,
  v: (key: string) => Json | undefined,
  inputs: JobsetInputFields[],
): { fields: SourceFields; inputs: JobsetInputFields[] } {
  const exprInput = v('nixexprinput');
  const exprPath = v('nixexprpath');
  if (exprInput === undefined || exprPath === undefined) {
    throw new DeclarativeSpecError(`${where}: nixexprinput and nixexprpath are required`);
  }
  const nixExpressionInput = text(where, 'nixexprinput', exprInput);
  const nixExpression = text(where, 'nixexprpath', exprPath);
  if (
    nixExpression === '' ||
    nixExpression.startsWith('/') ||
    nixExpression.startsWith('-') ||
    nixExpression.split('/').includes('..')
  ) {
    throw new DeclarativeSpecError(
      `${where}: nixexprpath must be a relative path inside its input, got ${show(nixExpression)}`,
    );
  }
  const exprSource = inputs.find((i) => i.name === nixExpressionInput);
  if (!exprSource || !EXPRESSION_INPUT_TYPES.includes(exprSource.type)) {
    throw new DeclarativeSpecError(
      `${where}: nixexprinput "${nixExpressionInput}" must name one of its repository or path inputs`,
    );
  }
  return { fields: { nixExpression, nixExpressionInput, flakeMode: false }, inputs };
}

/** Hydra's type 1: a flake, held by a git input named "flake" (see flake-reference.ts). */
function flakeSource(
  where: string,
  flake: Json | undefined,
  inputs: JobsetInputFields[],
): { fields: SourceFields; inputs: JobsetInputFields[] } {
  if (typeof flake !== 'string' || flake === '') {
    throw new DeclarativeSpecError(`${where}: a flake jobset (type 1) needs flake, its flake reference`);
  }
  if (inputs.some((i) => i.name === FLAKE_INPUT)) {
    throw new DeclarativeSpecError(`${where}: a flake jobset's input "${FLAKE_INPUT}" is the flake itself`);
  }
  let git;
  try {
    git = flakeAsGitInput(flake);
    parseGitInputValue(git.value);
  } catch (e) {
    throw new DeclarativeSpecError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    fields: {
      nixExpression: git.dir === '' ? '.' : git.dir,
      nixExpressionInput: FLAKE_INPUT,
      flakeMode: true,
    },
    inputs: [...inputs, { name: FLAKE_INPUT, type: 'git', value: git.value, branch: null }],
  };
}

/** The object of jobsets a "jobsets" build (or a static spec) gives, every one checked. */
export function parseJobsetsSpec(spec: unknown, what: string): DeclarativeJobset[] {
  if (!isObject(spec)) {
    throw new DeclarativeSpecError(`${what} must be a JSON object of jobset specs, got ${show(spec)}`);
  }
  const jobsets = Object.entries(spec).map(([name, s]) => {
    if (name === DECLARATIVE_JOBSETS_JOBSET) {
      throw new DeclarativeSpecError(
        `${what}: jobset "${name}" is the spec's own jobset and cannot be listed`,
      );
    }
    try {
      return parseJobsetSpec(name, s);
    } catch (e) {
      if (e instanceof DeclarativeSpecError) throw new DeclarativeSpecError(`${what}: ${e.message}`);
      throw e;
    }
  });
  const keyed = jobsets.filter((j) => j.pullRequests !== undefined).map((j) => `"${j.fields.name}"`);
  if (keyed.length > 1) {
    throw new DeclarativeSpecError(
      `${what}: only one jobset may carry build_pull_requests (the project's pull-request template); ` +
        `${keyed.join(' and ')} do`,
    );
  }
  return jobsets;
}
