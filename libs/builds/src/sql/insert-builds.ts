// Inserting an evaluation's new builds with their outputs in one statement over plain unnest'ed
// arrays, so 100,000 jobs take one round trip. A build whose outputs are all valid is inserted
// finished and cached (record cached); the others are queued with the pg-boss job id they will get.
import { z } from 'zod';
import { queryOne, type Queryable } from '@fc/db';

export interface NewBuildRow {
  readonly job: string;
  readonly nixName: string;
  readonly drvPath: string;
  readonly system: string;
  readonly description: string | null;
  readonly license: string | null;
  readonly homepage: string | null;
  readonly maintainers: string | null;
  readonly priority: number;
  readonly timeout: number;
  readonly maxSilent: number;
  readonly requiredFeatures: readonly string[];
  readonly isAggregate: boolean;
  readonly isChannel: boolean;
  /** All outputs already valid: recorded finished, status 0, cached, with no build job. */
  readonly isCached: boolean;
  /** The pg-boss job that will build it (null for a cached build). */
  readonly queueJobId: string | null;
  /** A cached build's result as read from its outputs (status 0 and no sizes when absent). */
  readonly cachedResult?: CachedBuildResult;
}

/** What a cached build's outputs say, as the queue runner would record it after building them. */
export interface CachedBuildResult {
  /** 0, or 6 when an output has `nix-support/failed`. */
  readonly status: number;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  /** Output name → NAR size and closure size. */
  readonly outputSizes: Readonly<Record<string, { narSize: number | null; closureSize: number | null }>>;
}

/** A build's `required_features` as a PostgreSQL array literal, so one text[] carries every row's. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Inserts the builds with their outputs, in one statement over plain unnest'ed arrays; each belongs to
 * the evaluation through its evaluation_id. Returns job name → build id (job names are unique within
 * an evaluation).
 */
export async function insertBuilds(
  db: Queryable,
  scope: { projectId: number; jobsetId: number; evaluationId: number },
  builds: readonly (NewBuildRow & { readonly outputs: Readonly<Record<string, string>> })[],
): Promise<Map<string, number>> {
  if (builds.length === 0) return new Map();
  const col = <T>(f: (b: NewBuildRow) => T): T[] => builds.map(f);
  const outJobs: string[] = [];
  const outNames: string[] = [];
  const outPaths: string[] = [];
  const outNarSizes: (number | null)[] = [];
  const outClosureSizes: (number | null)[] = [];
  for (const b of builds) {
    for (const [name, path] of Object.entries(b.outputs)) {
      outJobs.push(b.job);
      outNames.push(name);
      outPaths.push(path);
      const sizes = b.cachedResult?.outputSizes[name];
      outNarSizes.push(sizes?.narSize ?? null);
      outClosureSizes.push(sizes?.closureSize ?? null);
    }
  }
  const { ids } = await queryOne(
    db,
    z.object({ ids: z.record(z.string(), z.number()) }),
    `WITH b AS (
       INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, description,
         license, homepage, maintainers, priority, timeout, max_silent, required_features, is_aggregate,
         is_channel, finished, build_status, is_cached, queue_job_id, started_at, stopped_at, release_name, size,
         closure_size)
       SELECT $1, $2, $3, t.job, t.nix_name, t.drv_path, t.system, t.description, t.license, t.homepage,
         t.maintainers, t.priority, t.timeout, t.max_silent, t.features::text[], t.is_aggregate, t.is_channel,
         t.is_cached, CASE WHEN t.is_cached THEN coalesce(t.status, 0) END, t.is_cached, t.queue_job_id,
         CASE WHEN t.is_cached THEN now() END, CASE WHEN t.is_cached THEN now() END, t.release_name, t.size,
         t.closure_size
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::text[], $12::int[], $13::int[], $14::int[], $15::text[], $16::bool[], $17::bool[], $18::bool[],
         $19::text[], $23::int[], $24::text[], $25::bigint[], $26::bigint[])
         AS t(job, nix_name, drv_path, system, description, license, homepage, maintainers, priority, timeout,
              max_silent, features, is_aggregate, is_channel, is_cached, queue_job_id, status, release_name, size,
              closure_size)
       RETURNING id, job
     ), outputs AS (
       INSERT INTO build_outputs (build_id, name, path, nar_size, closure_size)
       SELECT b.id, o.name, o.path, o.nar_size, o.closure_size
       FROM unnest($20::text[], $21::text[], $22::text[], $27::bigint[], $28::bigint[])
         AS o(job, name, path, nar_size, closure_size)
         JOIN b ON b.job = o.job
     )
     SELECT coalesce(json_object_agg(b.job, b.id), '{}'::json) AS ids FROM b`,
    [
      scope.projectId,
      scope.jobsetId,
      scope.evaluationId,
      col((b) => b.job),
      col((b) => b.nixName),
      col((b) => b.drvPath),
      col((b) => b.system),
      col((b) => b.description),
      col((b) => b.license),
      col((b) => b.homepage),
      col((b) => b.maintainers),
      col((b) => b.priority),
      col((b) => Math.max(1, b.timeout)),
      col((b) => Math.max(1, b.maxSilent)),
      col((b) => arrayLiteral(b.requiredFeatures)),
      col((b) => b.isAggregate),
      col((b) => b.isChannel),
      col((b) => b.isCached),
      col((b) => b.queueJobId),
      outJobs,
      outNames,
      outPaths,
      col((b) => b.cachedResult?.status ?? null),
      col((b) => b.cachedResult?.releaseName ?? null),
      col((b) => b.cachedResult?.size ?? null),
      col((b) => b.cachedResult?.closureSize ?? null),
      outNarSizes,
      outClosureSizes,
    ],
  );
  return new Map(Object.entries(ids));
}
