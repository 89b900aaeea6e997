// loadConfig: compiled defaults < ./fc.toml < the file at FC_CONFIG_FILE < FC_* environment variables.
// Pure apart from reading the named files; validated once; every bad key reported in one ConfigError.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { configSchema, type FcConfig } from './config-schema';

export interface LoadConfigOptions {
  /** Directory searched for `fc.toml`; defaults to the process's working directory. */
  readonly cwd?: string;
  /** The environment to read FC_CONFIG_FILE and FC_* overrides from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra files, applied after FC_CONFIG_FILE and before the environment (used by CLIs' --config). */
  readonly files?: readonly string[];
}

type Section = Record<string, unknown>;
type Layer = { readonly source: string; readonly data: Record<string, unknown> };

const ENV_KEY = /^FC_([A-Z0-9_]+?)__([A-Z0-9_]+)$/;

type ValueKind = 'string' | 'number' | 'boolean' | 'array' | 'enum' | 'table';

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

function sectionShape(section: string): Record<string, z.ZodType> | undefined {
  const field = (configSchema.shape as Record<string, z.ZodType>)[section];
  if (!field) return undefined;
  const inner = unwrap(field);
  return inner instanceof z.ZodObject ? inner.shape : undefined;
}

function kindOf(section: string, key: string): ValueKind | undefined {
  const field = sectionShape(section)?.[key];
  if (!field) return undefined;
  const inner = unwrap(field);
  if (inner instanceof z.ZodNumber) return 'number';
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodArray) return 'array';
  if (inner instanceof z.ZodEnum) return 'enum';
  if (inner instanceof z.ZodRecord) return 'table';
  return 'string';
}

/** Coerces an environment string to the key's type; returns an error message on failure. */
function coerceEnv(kind: ValueKind, raw: string): { value: unknown } | { error: string } {
  switch (kind) {
    case 'string':
    case 'enum':
      return { value: raw };
    case 'number': {
      const trimmed = raw.trim();
      if (trimmed === '' || !/^-?\d+(\.\d+)?$/.test(trimmed)) return { error: 'expected a number' };
      return { value: Number(trimmed) };
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return { value: true };
      if (['false', '0', 'no', 'off'].includes(v)) return { value: false };
      return { error: 'expected a boolean (true/false, 1/0, yes/no, on/off)' };
    }
    case 'table': {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { value: parsed };
      } catch {
        /* fall through to the error below */
      }
      return { error: 'expected a JSON object' };
    }
    case 'array': {
      const t = raw.trim();
      if (t.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(t);
          if (Array.isArray(parsed)) return { value: parsed };
        } catch {
          /* fall through to the error below */
        }
        return { error: 'expected a JSON array or a comma-separated list' };
      }
      return {
        value:
          t === ''
            ? []
            : t
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== ''),
      };
    }
  }
}

function readTomlFile(path: string, problems: ConfigProblem[]): Layer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    problems.push({ key: '(file)', source: path, message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  try {
    return { source: path, data: parseToml(text) };
  } catch (e) {
    const first = (e as Error).message.split('\n')[0] ?? 'syntax error';
    problems.push({ key: '(file)', source: path, message: `not valid TOML: ${first}` });
    return undefined;
  }
}

function envLayer(env: Readonly<Record<string, string | undefined>>, problems: ConfigProblem[]): Layer[] {
  const layers: Layer[] = [];
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (raw === undefined) continue;
    const m = ENV_KEY.exec(name);
    if (!m) continue;
    const section = m[1]!.toLowerCase();
    const key = m[2]!.toLowerCase();
    const path = `${section}.${key}`;
    const kind = kindOf(section, key);
    if (!kind) {
      problems.push({
        key: path,
        source: name,
        message: sectionShape(section) ? 'unknown key' : `unknown section "${section}"`,
      });
      continue;
    }
    const coerced = coerceEnv(kind, raw);
    if ('error' in coerced) {
      problems.push({ key: path, source: name, message: coerced.error });
      continue;
    }
    layers.push({ source: name, data: { [section]: { [key]: coerced.value } } });
  }
  return layers;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function loadConfig(options: LoadConfigOptions = {}): FcConfig {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const layers: Layer[] = [];

  const localFile = resolve(cwd, 'fc.toml');
  if (existsSync(localFile)) {
    const layer = readTomlFile(localFile, problems);
    if (layer) layers.push(layer);
  }
  const envFile = env['FC_CONFIG_FILE'];
  if (envFile !== undefined && envFile !== '') {
    const path = resolve(cwd, envFile);
    if (!existsSync(path))
      problems.push({ key: '(file)', source: 'FC_CONFIG_FILE', message: `no such file: ${path}` });
    else {
      const layer = readTomlFile(path, problems);
      if (layer) layers.push(layer);
    }
  }
  for (const file of options.files ?? []) {
    const layer = readTomlFile(resolve(cwd, file), problems);
    if (layer) layers.push(layer);
  }
  layers.push(...envLayer(env, problems));

  // Merge section by section, remembering which layer last set each key.
  const merged: Record<string, unknown> = {};
  const sourceOf = new Map<string, string>();
  for (const layer of layers) {
    for (const [section, value] of Object.entries(layer.data)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const target = (merged[section] ??= {}) as Section;
        if (typeof target !== 'object' || Array.isArray(target)) {
          merged[section] = { ...(value as Section) };
        } else {
          Object.assign(target, value as Section);
        }
        for (const key of Object.keys(value)) sourceOf.set(`${section}.${key}`, layer.source);
        sourceOf.set(section, layer.source);
      } else {
        merged[section] = value;
        sourceOf.set(section, layer.source);
      }
    }
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path.map(String), key].join('.');
          problems.push({ key: path, source: sourceOf.get(path), message: 'unknown key' });
        }
        continue;
      }
      const path = issue.path.map(String).join('.');
      problems.push({ key: path || '(root)', source: sourceOf.get(path), message: describeIssue(issue) });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result.data as FcConfig);
}

/** zod's message without the received value (it may be a secret). */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1
          ? 'must not be empty'
          : `must be at least ${String(issue.minimum)} characters`;
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
