// One job of a jobset, by Hydra's names: its latest builds and its latest successful build.
import { NotFoundError } from '@fc/core';
import {
  jobsetExistsByName,
  latestSucceededJobBuild,
  listJobBuilds,
  type JobBuildRow,
  type LatestBuildFilter,
  type Pool,
} from '@fc/db';

export interface JobRef {
  readonly project: string;
  readonly jobset: string;
  readonly job: string;
}

export class JobHistoryService {
  constructor(private readonly pool: Pool) {}

  async builds(ref: JobRef, limit: number): Promise<JobBuildRow[]> {
    const builds = await listJobBuilds(this.pool, ref.project, ref.jobset, ref.job, limit);
    if (builds.length === 0 && !(await jobsetExistsByName(this.pool, ref.project, ref.jobset))) {
      throw new NotFoundError(`jobset "${ref.project}:${ref.jobset}" does not exist`);
    }
    return builds;
  }

  /** Hydra's /job/.../latest (latest-for/{system}, latest-finished): the build to redirect to. */
  async latestSucceeded(ref: JobRef, filter: LatestBuildFilter = {}): Promise<number> {
    const id = await latestSucceededJobBuild(this.pool, ref.project, ref.jobset, ref.job, filter);
    if (id === undefined) {
      const which = [
        filter.system !== undefined ? `for ${filter.system}` : '',
        filter.inFinishedEvaluation ? 'in a finished evaluation' : '',
      ]
        .filter(Boolean)
        .join(' ');
      throw new NotFoundError(
        `job ${ref.project}:${ref.jobset}:${ref.job} has no successful build${which ? ` ${which}` : ''}`,
      );
    }
    return id;
  }
}
