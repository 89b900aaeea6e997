// Test fixtures for the queue runner, until the evaluator creates builds: instantiate a job of a
// test .nix file with nix-instantiate, insert project/jobset/evaluation/build/build_outputs rows and
// send the build's job, all in one transaction (what the evaluator does).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withTransaction, type Pool, type Queryable } from '@fc/db';
import { enqueueBuild } from '@fc/builds';
import type { Boss } from '@fc/queue';

const run = promisify(execFile);

export interface InstantiatedJob {
  readonly drvPath: string;
  readonly system: string;
  readonly outputs: readonly { name: string; path: string }[];
  readonly requiredFeatures: readonly string[];
}

/** `nix-instantiate <file> -A <attr>` with `--argstr` arguments, and the derivation's outputs. */
export async function instantiate(
  nixFile: string,
  attr: string,
  args: Record<string, string> = {},
): Promise<InstantiatedJob> {
  const argv = [nixFile, '-A', attr];
  for (const [k, v] of Object.entries(args)) argv.push('--argstr', k, v);
  const { stdout } = await run('nix-instantiate', argv);
  const drvPath = stdout.trim().split('\n').at(-1)!;
  const show = await run('nix', ['--extra-experimental-features', 'nix-command', 'show-derivation', drvPath]);
  const drv = Object.values(JSON.parse(show.stdout) as Record<string, DerivationJson>)[0]!;
  return {
    drvPath,
    system: drv.system,
    outputs: Object.entries(drv.outputs).map(([name, o]) => ({ name, path: o.path })),
    requiredFeatures: (drv.env['requiredSystemFeatures'] ?? '').split(/\s+/).filter(Boolean),
  };
}

interface DerivationJson {
  system: string;
  outputs: Record<string, { path: string }>;
  env: Record<string, string>;
}

export interface Jobset {
  readonly projectId: number;
  readonly jobsetId: number;
  readonly evaluationId: number;
}

/** A project, a jobset and one succeeded evaluation to hang builds on. */
export async function createJobset(db: Queryable, name = `p${Date.now() % 1_000_000}`): Promise<Jobset> {
  const p = await db.query<{ id: number }>(
    `INSERT INTO projects (name, repository_url) VALUES ($1, 'file:///dev/null') RETURNING id`,
    [name],
  );
  const projectId = Number(p.rows[0]!.id);
  const j = await db.query<{ id: number }>(
    `INSERT INTO jobsets (project_id, name, nix_expression) VALUES ($1, 'main', 'default.nix') RETURNING id`,
    [projectId],
  );
  const jobsetId = Number(j.rows[0]!.id);
  const e = await db.query<{ id: number }>(
    `INSERT INTO evaluations (jobset_id, project_id, status) VALUES ($1, $2, 'succeeded') RETURNING id`,
    [jobsetId, projectId],
  );
  return { projectId, jobsetId, evaluationId: Number(e.rows[0]!.id) };
}

export interface FixtureBuild {
  readonly job: string;
  readonly drv: InstantiatedJob;
  readonly priority?: number;
  readonly globalPriority?: number;
  readonly timeout?: number;
  readonly maxSilent?: number;
  readonly system?: string;
  readonly isAggregate?: boolean;
  /** Indexes (into the same call's builds) of an aggregate's constituents. */
  readonly constituents?: readonly number[];
  /** Insert the row but do not send its job. */
  readonly noJob?: boolean;
}

/** Inserts the builds (and their outputs) and sends their jobs in one transaction; returns their ids. */
export async function queueBuilds(
  pool: Pool,
  boss: Boss,
  jobset: Jobset,
  builds: readonly FixtureBuild[],
): Promise<number[]> {
  return withTransaction(pool, async (tx) => {
    const ids: number[] = [];
    for (const b of builds) {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, priority,
           global_priority, timeout, max_silent, required_features, is_aggregate)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [
          jobset.projectId,
          jobset.jobsetId,
          jobset.evaluationId,
          b.job,
          b.drv.drvPath,
          b.system ?? b.drv.system,
          b.priority ?? 100,
          b.globalPriority ?? 0,
          b.timeout ?? 36000,
          b.maxSilent ?? 3600,
          b.drv.requiredFeatures,
          b.isAggregate ?? false,
        ],
      );
      const id = Number(r.rows[0]!.id);
      ids.push(id);
      for (const o of b.drv.outputs) {
        await tx.query('INSERT INTO build_outputs (build_id, name, path) VALUES ($1, $2, $3)', [
          id,
          o.name,
          o.path,
        ]);
      }
    }
    for (const [i, b] of builds.entries()) {
      for (const c of b.constituents ?? []) {
        await tx.query('INSERT INTO aggregate_constituents (aggregate_id, constituent_id) VALUES ($1, $2)', [
          ids[i],
          ids[c],
        ]);
      }
    }
    for (const [i, b] of builds.entries()) {
      if (b.noJob) continue;
      await enqueueBuild(tx, boss, {
        id: ids[i]!,
        priority: b.priority ?? 100,
        globalPriority: b.globalPriority ?? 0,
        jobsetId: jobset.jobsetId,
      });
    }
    return ids;
  });
}
