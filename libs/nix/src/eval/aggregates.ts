// Hydra's aggregate jobs (`_hydraAggregate = true`): constituents given as derivations, as job
// names, or (with `_hydraGlobConstituents`) as fnmatch globs over job names that never match the
// aggregate itself. Named constituents are resolved as nix-eval-jobs resolves them:
// - each aggregate's broken constituents (`NAME: does not exist`, `NAME: <its error>`,
//   `PATTERN: constituent glob pattern had no matches`) make it an error;
// - the aggregates are sorted by a depth-first walk (names in order); the first back edge found is a
//   cycle, named by its two ends (`Dependency cycle: a <-> b`), and every other aggregate is then
//   skipped ("Skipping aggregate because of a dependency cycle");
// - what nix-eval-jobs logs on the way is returned in `log`.
// An aggregate of a broken aggregate is broken too (nix-eval-jobs does not say so; Hydra fails the
// whole evaluation either way, see aggregate-failure.ts).
import type { EvaluatedJob } from './eval-types';
import { JobIndex } from './job-index';

export interface ResolvedAggregateJobs {
  /** The aggregates that stay jobs (those with broken constituents removed), in their order. */
  readonly aggregates: readonly EvaluatedJob[];
  readonly errors: ReadonlyMap<string, string>;
  /** Aggregate job name → its constituents' job names. */
  readonly constituents: ReadonlyMap<string, readonly string[]>;
  /** The broken aggregates, in the order nix-eval-jobs prints them, → their error. */
  readonly aggregateErrors: ReadonlyMap<string, string>;
  /** nix-eval-jobs' log lines about broken aggregates, in order. */
  readonly log: readonly AggregateLogLine[];
}

export interface ResolvedAggregates extends Omit<ResolvedAggregateJobs, 'aggregates'> {
  /** The jobs that stay jobs (aggregates with broken constituents removed). */
  readonly jobs: readonly EvaluatedJob[];
}

export interface AggregateLogLine {
  readonly level: 'error' | 'warn';
  readonly message: string;
}

export const CYCLE_SKIPPED = 'Skipping aggregate because of a dependency cycle';

/** fnmatch(3) without flags: `*` and `?` match any character, dots included; `[...]` classes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

interface NamedAggregate {
  /** Healthy named constituents, sorted. */
  readonly dependencies: readonly string[];
  /** Broken constituent (or pattern) → why, in the order found. */
  readonly broken: ReadonlyMap<string, string>;
}

/** Each aggregate with named constituents: its dependencies and broken constituents, with log lines. */
function namedAggregates(
  aggregates: readonly EvaluatedJob[],
  index: JobIndex,
  evalErrors: ReadonlyMap<string, string>,
  log: AggregateLogLine[],
): Map<string, NamedAggregate> {
  const known = (name: string) => index.has(name) || evalErrors.has(name);
  // Every name, sorted, only when a glob needs them.
  let allNames: string[] | undefined;
  const sortedNames = () => (allNames ??= [...new Set([...index.names(), ...evalErrors.keys()])].sort());
  const result = new Map<string, NamedAggregate>();
  for (const job of [...aggregates].sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0))) {
    const names = (job.constituents ?? []).flatMap((c) => ('name' in c ? [c.name] : []));
    if (!job.isAggregate || names.length === 0) continue;
    const broken = new Map<string, string>();
    const deps = new Set<string>();
    const healthy = (child: string): boolean => {
      const error = evalErrors.get(child);
      if (error === undefined) return true;
      log.push({ level: 'error', message: `aggregate job '${job.attr}' references broken job '${child}': ${error}` });
      broken.set(child, error);
      return false;
    };
    for (const child of names) {
      if (known(child)) {
        if (healthy(child)) deps.add(child);
      } else if (!job.globConstituents) {
        log.push({ level: 'error', message: `aggregate job '${job.attr}' references non-existent job '${child}'` });
        broken.set(child, 'does not exist');
      } else {
        const re = globToRegExp(child);
        let found = false;
        for (const n of sortedNames()) {
          if (n === job.attr || !re.test(n) || !healthy(n)) continue;
          deps.add(n);
          found = true;
        }
        if (!found) {
          log.push({
            level: 'warn',
            message: `aggregate job '${job.attr}' references constituent glob pattern '${child}' with no matches`,
          });
          broken.set(child, 'constituent glob pattern had no matches');
        }
      }
    }
    result.set(job.attr, { dependencies: [...deps].sort(), broken });
  }
  return result;
}

type TopoOrder = { readonly order: string[] } | { readonly cycle: readonly [string, string] };

/** nix-eval-jobs' depth-first sort of the aggregates; the first back edge found ends it. */
function topoSort(aggregates: ReadonlyMap<string, NamedAggregate>): TopoOrder {
  const order: string[] = [];
  const visited = new Set<string>();
  const parents = new Set<string>();
  const visit = (name: string, parent: string | null): readonly [string, string] | null => {
    if (parents.has(name)) return [name, parent ?? name];
    if (visited.has(name)) return null;
    visited.add(name);
    parents.add(name);
    for (const dep of aggregates.get(name)?.dependencies ?? []) {
      if (dep === name || !aggregates.has(dep)) continue;
      const cycle = visit(dep, name);
      if (cycle) return cycle;
    }
    order.push(name);
    parents.delete(name);
    return null;
  };
  for (const name of [...aggregates.keys()].sort()) {
    const cycle = visit(name, null);
    if (cycle) return { cycle };
  }
  return { order };
}

/**
 * Resolves the aggregates of an evaluation whose jobs are in `index` (aggregates included), without
 * the other jobs themselves: they may be recorded already.
 */
export function resolveAggregateJobs(
  aggregates: readonly EvaluatedJob[],
  index: JobIndex,
  evalErrors: ReadonlyMap<string, string>,
  /** Aggregates an evaluator already found broken (nix-eval-jobs resolves them itself). */
  evaluatorAggregateErrors: ReadonlyMap<string, string> = new Map(),
): ResolvedAggregateJobs {
  const log: AggregateLogLine[] = [];
  const errors = new Map(evalErrors);
  const aggregateErrors = new Map(evaluatorAggregateErrors);
  for (const [name, error] of evaluatorAggregateErrors) errors.set(name, error);
  const breakAggregate = (name: string, error: string) => {
    errors.set(name, error);
    aggregateErrors.set(name, error);
  };

  const named = namedAggregates(aggregates, index, evalErrors, log);
  // An alias collapses to the shortest job name with the same derivation (Hydra).
  const wanted = new Set<string>();
  for (const { dependencies } of named.values()) for (const d of dependencies) wanted.add(index.drvPathOf(d)!);
  for (const job of aggregates) for (const c of job.constituents ?? []) if ('drvPath' in c) wanted.add(c.drvPath);
  const canonical = index.canonicalNames(wanted);
  const sorted = topoSort(named);
  const constituents = new Map<string, string[]>();
  if ('cycle' in sorted) {
    const [a, b] = sorted.cycle;
    log.push({ level: 'error', message: `Found dependency cycle between jobs '${a}' and '${b}'` });
    breakAggregate(a, `Dependency cycle: ${a} <-> ${b}`);
    breakAggregate(b, `Dependency cycle: ${a} <-> ${b}`);
    for (const name of [...named.keys()].sort()) if (name !== a && name !== b) breakAggregate(name, CYCLE_SKIPPED);
  } else {
    for (const name of sorted.order) {
      const { dependencies, broken } = named.get(name)!;
      const problems = [...broken].map(([child, why]) => `${child}: ${why}`);
      for (const dep of dependencies) {
        const depError = aggregateErrors.get(dep);
        if (depError !== undefined) problems.push(`${dep}: ${depError}`);
      }
      if (problems.length > 0) breakAggregate(name, problems.join('\n'));
      else constituents.set(name, dependencies.map((d) => canonical.get(index.drvPathOf(d)!) ?? d));
    }
  }
  // Derivation constituents link to the job of that derivation, when there is one.
  for (const job of aggregates) {
    if (!job.isAggregate || errors.has(job.attr)) continue;
    const links = [...(constituents.get(job.attr) ?? [])];
    for (const c of job.constituents ?? []) {
      const n = 'drvPath' in c ? canonical.get(c.drvPath) : undefined;
      if (n !== undefined) links.push(n);
    }
    constituents.set(job.attr, [...new Set(links)].filter((n) => n !== job.attr));
  }
  return { aggregates: aggregates.filter((j) => !errors.has(j.attr)), errors, constituents, aggregateErrors, log };
}

/** resolveAggregateJobs over jobs held in memory: the jobs that stay jobs, in their order. */
export function resolveAggregates(
  allJobs: readonly EvaluatedJob[],
  evalErrors: ReadonlyMap<string, string>,
  evaluatorAggregateErrors: ReadonlyMap<string, string> = new Map(),
): ResolvedAggregates {
  const index = new JobIndex();
  for (const j of allJobs) index.add(j);
  const { aggregates: _kept, ...resolved } = resolveAggregateJobs(
    allJobs.filter((j) => j.isAggregate),
    index,
    evalErrors,
    evaluatorAggregateErrors,
  );
  return { ...resolved, jobs: allJobs.filter((j) => !resolved.errors.has(j.attr)) };
}
