// Hydra's aggregate jobs (`_hydraAggregate = true`): constituents given as derivations, as job
// names, or (with `_hydraGlobConstituents`) as globs over job names that never match the aggregate
// itself. A broken constituent makes the aggregate an evaluation error with Hydra's messages:
// `NAME: does not exist`, `NAME: <its error>`, `PATTERN: constituent glob pattern had no matches`,
// `Dependency cycle: a <-> b`.
import type { EvaluatedJob } from './eval-types';

export interface ResolvedAggregates {
  /** The jobs that stay jobs (aggregates with broken constituents removed). */
  readonly jobs: readonly EvaluatedJob[];
  readonly errors: ReadonlyMap<string, string>;
  /** Aggregate job name → its constituents' job names. */
  readonly constituents: ReadonlyMap<string, readonly string[]>;
}

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

const isGlob = (s: string) => /[*?[]/.test(s);

export function resolveAggregates(
  allJobs: readonly EvaluatedJob[],
  evalErrors: ReadonlyMap<string, string>,
): ResolvedAggregates {
  const errors = new Map(evalErrors);
  const byName = new Map(allJobs.map((j) => [j.attr, j]));
  const allNames = [...byName.keys(), ...errors.keys()];
  // An alias collapses to the shortest job name with the same derivation.
  const canonical = new Map<string, string>();
  for (const j of allJobs) {
    const seen = canonical.get(j.drvPath);
    if (seen === undefined || j.attr.length < seen.length || (j.attr.length === seen.length && j.attr < seen)) {
      canonical.set(j.drvPath, j.attr);
    }
  }

  // Named dependencies of each aggregate, and the problems found resolving them.
  const named = new Map<string, string[]>();
  const problems = new Map<string, string[]>();
  for (const job of allJobs) {
    if (!job.isAggregate) continue;
    const deps: string[] = [];
    const errs: string[] = [];
    for (const c of job.constituents ?? []) {
      if (!('name' in c)) continue;
      if (job.globConstituents && isGlob(c.name)) {
        const re = globToRegExp(c.name);
        const matches = allNames.filter((n) => n !== job.attr && re.test(n));
        if (matches.length === 0) errs.push(`${c.name}: constituent glob pattern had no matches`);
        deps.push(...matches);
      } else if (c.name !== job.attr || !job.globConstituents) deps.push(c.name);
    }
    named.set(job.attr, [...new Set(deps)]);
    problems.set(job.attr, errs);
  }

  // Cycles among aggregates (Tarjan's strongly connected components).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  const cycles: string[][] = [];
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of named.get(v) ?? []) {
      if (!named.has(w)) continue;
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (named.get(v) ?? []).includes(v)) cycles.push(scc);
    }
  };
  for (const v of named.keys()) if (!index.has(v)) strong(v);
  for (const scc of cycles) {
    const names = [...scc].sort();
    const message = `Dependency cycle: ${(names.length === 1 ? [names[0]!, names[0]!] : names).join(' <-> ')}`;
    for (const n of scc) errors.set(n, message);
  }

  // Resolve in dependency order, so an aggregate of a broken aggregate is broken too.
  const done = new Set<string>();
  const constituents = new Map<string, string[]>();
  const resolve = (name: string) => {
    if (done.has(name) || errors.has(name)) return;
    done.add(name);
    const job = byName.get(name)!;
    const errs = [...(problems.get(name) ?? [])];
    const links: string[] = [];
    for (const dep of named.get(name) ?? []) {
      if (named.has(dep)) resolve(dep);
      const depError = errors.get(dep);
      if (depError !== undefined) errs.push(`${dep}: ${depError}`);
      else if (!byName.has(dep)) errs.push(`${dep}: does not exist`);
      else links.push(canonical.get(byName.get(dep)!.drvPath) ?? dep);
    }
    for (const c of job.constituents ?? []) {
      if ('drvPath' in c) {
        const n = canonical.get(c.drvPath);
        if (n !== undefined) links.push(n);
      }
    }
    if (errs.length > 0) errors.set(name, errs.join('\n'));
    else constituents.set(name, [...new Set(links)].filter((n) => n !== name));
  };
  for (const name of named.keys()) resolve(name);

  return { jobs: allJobs.filter((j) => !errors.has(j.attr)), errors, constituents };
}
