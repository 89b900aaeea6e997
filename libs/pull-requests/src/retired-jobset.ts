// When a closed pull request's jobset goes: closing disables and hides it; it is removed (with its
// evaluations and builds) once the project's template jobset has recorded keep_nr successful
// evaluations begun since the close, so its builds stay as long as a jobset's last keep_nr
// evaluations keep theirs. A jobset with a build still queued or running waits for the next one.
import {
  deleteJobset,
  retiredPullRequestJobsets,
  type Queryable,
  type RetiredPullRequestJobsetRow,
} from '@fc/db';

export function retiredJobsetIsDue(
  j: Pick<RetiredPullRequestJobsetRow, 'keepNr' | 'templateEvaluations' | 'unfinishedBuilds'>,
): boolean {
  return !j.unfinishedBuilds && j.templateEvaluations >= Math.max(j.keepNr, 1);
}

/**
 * In the caller's transaction, after `templateJobsetId` recorded an evaluation: removes the closed
 * pull requests' jobsets that are due (nothing when it is not the project's template); their names.
 */
export async function removeRetiredPullRequestJobsets(
  tx: Queryable,
  projectId: number,
  templateJobsetId: number,
): Promise<{ number: number; jobset: string }[]> {
  const removed: { number: number; jobset: string }[] = [];
  for (const j of await retiredPullRequestJobsets(tx, projectId, templateJobsetId)) {
    if (!retiredJobsetIsDue(j)) continue;
    if (await deleteJobset(tx, j.jobsetId)) removed.push({ number: j.number, jobset: j.jobsetName });
  }
  return removed;
}
