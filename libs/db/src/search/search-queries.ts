// Search over projects, jobsets, jobs and builds. Job and package names match anywhere (trigram
// indexes, 0101_search_indexes.sql); store paths match by prefix (pattern-ops indexes).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

/** Escapes LIKE's wildcards so the user's text matches literally. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * How many index hits a name search looks at before it ranks them: a term that matches half a
 * million builds must not cost a scan of all of them.
 */
const NAME_SCAN_LIMIT = 2000;

export const projectHit = z.object({ id: z.number(), name: z.string(), displayName: z.string().nullable() });
export const jobsetHit = z.object({
  id: z.number(),
  projectId: z.number(),
  projectName: z.string(),
  name: z.string(),
});
export const jobHit = z.object({
  jobsetId: z.number(),
  jobsetName: z.string(),
  projectId: z.number(),
  projectName: z.string(),
  job: z.string(),
  latestBuildId: z.number(),
});
export const buildHit = z.object({
  id: z.number(),
  projectId: z.number(),
  jobsetId: z.number(),
  job: z.string(),
  nixName: z.string().nullable(),
  drvPath: z.string(),
  system: z.string(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  startedAt: z.date().nullable(),
  matchedOutputPath: z.string().nullable(),
});
export type ProjectHit = z.output<typeof projectHit>;
export type JobsetHit = z.output<typeof jobsetHit>;
export type JobHit = z.output<typeof jobHit>;
export type BuildHit = z.output<typeof buildHit>;

export async function searchProjects(db: Queryable, text: string, limit: number): Promise<ProjectHit[]> {
  return queryRows(
    db,
    projectHit,
    `SELECT id, name, display_name FROM projects
     WHERE NOT hidden AND (name ILIKE $1 OR display_name ILIKE $1)
     ORDER BY (lower(name) = lower($2)) DESC, name LIMIT $3`,
    [`%${likeEscape(text)}%`, text, limit],
  );
}

export async function searchJobsets(db: Queryable, text: string, limit: number): Promise<JobsetHit[]> {
  return queryRows(
    db,
    jobsetHit,
    `SELECT j.id, j.project_id, p.name AS project_name, j.name FROM jobsets j JOIN projects p ON p.id = j.project_id
     WHERE NOT j.hidden AND NOT p.hidden AND j.name ILIKE $1
     ORDER BY (lower(j.name) = lower($2)) DESC, p.name, j.name LIMIT $3`,
    [`%${likeEscape(text)}%`, text, limit],
  );
}

/** Jobs whose name contains the text (at least 3 characters, for the trigram index). */
export async function searchJobs(db: Queryable, text: string, limit: number): Promise<JobHit[]> {
  return queryRows(
    db,
    jobHit,
    `SELECT h.jobset_id, j.name AS jobset_name, j.project_id, p.name AS project_name, h.job, h.latest_build_id
     FROM (SELECT jobset_id, job, max(id) AS latest_build_id
           FROM (SELECT jobset_id, job, id FROM builds WHERE job ILIKE $1 LIMIT ${NAME_SCAN_LIMIT}) s
           GROUP BY jobset_id, job) h
     JOIN jobsets j ON j.id = h.jobset_id JOIN projects p ON p.id = j.project_id
     ORDER BY (h.job = $2) DESC, h.job, p.name, j.name LIMIT $3`,
    [`%${likeEscape(text)}%`, text, limit],
  );
}

const BUILD_HIT_COLUMNS =
  'b.id, b.project_id, b.jobset_id, b.job, b.nix_name, b.drv_path, b.system, b.finished, b.build_status, b.started_at';

/** Builds whose derivation or an output's store path starts with the prefix (newest first). */
export async function searchBuildsByPathPrefix(
  db: Queryable,
  prefix: string,
  limit: number,
): Promise<BuildHit[]> {
  const pattern = `${likeEscape(prefix)}%`;
  return queryRows(
    db,
    buildHit,
    `SELECT * FROM (
       (SELECT ${BUILD_HIT_COLUMNS}, NULL::text AS matched_output_path FROM builds b
        WHERE b.drv_path LIKE $1 ORDER BY b.drv_path LIMIT $2)
       UNION ALL
       (SELECT ${BUILD_HIT_COLUMNS}, o.path AS matched_output_path
        FROM build_outputs o JOIN builds b ON b.id = o.build_id
        WHERE o.path LIKE $1 ORDER BY o.path LIMIT $2)
     ) hits ORDER BY id DESC LIMIT $2`,
    [pattern, limit],
  );
}

/** Builds whose package name (nix_name) contains the text (at least 3 characters). */
export async function searchBuildsByName(db: Queryable, text: string, limit: number): Promise<BuildHit[]> {
  return queryRows(
    db,
    buildHit,
    `SELECT ${BUILD_HIT_COLUMNS}, NULL::text AS matched_output_path
     FROM (SELECT id FROM builds WHERE nix_name ILIKE $1 LIMIT ${NAME_SCAN_LIMIT}) s JOIN builds b ON b.id = s.id
     ORDER BY b.id DESC LIMIT $2`,
    [`%${likeEscape(text)}%`, limit],
  );
}
