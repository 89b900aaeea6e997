// Writing a checked declarative spec: each listed jobset created or updated with its inputs replaced
// (Hydra's update_or_create), the project's pull-request settings when a jobset carries them, and the
// project's other jobsets, ".jobsets" and pull requests' own aside, disabled and hidden (Hydra keeps
// them, with their history). The caller owns the transaction, so a spec applies whole.
import {
  findProject,
  replaceJobsetInputs,
  retireUndeclaredJobsets,
  updateProject,
  upsertDeclarativeJobset,
  type Queryable,
} from '@fc/db';
import { DeclarativeSpecError, type DeclarativeJobset } from './declarative-spec';

/**
 * Hydra's rule for `enable_dynamic_run_command` in a spec: present at all (even false), it is refused
 * with Hydra's message unless the server option (notifications.dynamic_run_command) and the project
 * both enable it.
 */
export async function refuseDynamicRunCommand(
  db: Queryable,
  projectId: number,
  jobsets: readonly DeclarativeJobset[],
  serverEnabled: boolean,
): Promise<void> {
  const wanted = jobsets.filter((j) => j.fields.enableDynamicRunCommand !== undefined);
  if (wanted.length === 0) return;
  if (serverEnabled && (await findProject(db, projectId))?.enableDynamicRunCommand === true) return;
  throw new DeclarativeSpecError(
    `jobset "${wanted[0]!.fields.name}": Dynamic RunCommand is not enabled by the server or the parent project.`,
  );
}

export interface AppliedSpec {
  readonly created: string[];
  readonly updated: string[];
  readonly retired: number;
  /** The pull-request template the spec named (build_pull_requests true), or off (false); null: not set. */
  readonly pullRequests: string | null;
}

/** Creates or updates one jobset from its spec (also how ".jobsets" is configured). */
export async function writeDeclarativeJobset(
  tx: Queryable,
  projectId: number,
  jobset: DeclarativeJobset,
): Promise<{ id: number; created: boolean }> {
  const row = await upsertDeclarativeJobset(tx, projectId, jobset.fields);
  await replaceJobsetInputs(tx, row.id, jobset.inputs);
  return row;
}

export async function applyDeclarativeJobsets(
  tx: Queryable,
  projectId: number,
  jobsets: readonly DeclarativeJobset[],
): Promise<AppliedSpec> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const j of jobsets) {
    const row = await writeDeclarativeJobset(tx, projectId, j);
    (row.created ? created : updated).push(j.fields.name);
  }
  let pullRequests: string | null = null;
  for (const j of jobsets) {
    const pr = j.pullRequests;
    if (pr === undefined) continue;
    await updateProject(tx, projectId, {
      buildPullRequests: pr.build,
      ...(pr.build ? { pullRequestTemplateJobset: j.fields.name } : {}),
      pullRequestTrustedUsers: pr.trustedUsers,
      pullRequestStatuses: pr.statuses,
    });
    pullRequests = pr.build ? `built from ${j.fields.name}` : 'off';
  }
  const retired = await retireUndeclaredJobsets(
    tx,
    projectId,
    jobsets.map((j) => j.fields.name),
  );
  return { created, updated, retired, pullRequests };
}
