// The scheduler's pass over the forges: for each project that builds pull requests, the forge's list
// of open pull requests is read and applied through the pull-request service the webhooks use, so a
// pull request opened (or closed) while FC was down, or whose webhook was lost, is found. A forge's
// failure (401, 404, rate limit, timeout) is logged with the project and the pass goes on.
import { databaseNow, projectsBuildingPullRequests, type Pool } from '@fc/db';
import {
  ForgeApiError,
  forgeRepositoryOf,
  parseForgePullRequest,
  type ForgeAccount,
  type ForgeClient,
  type ForgePullRequest,
} from '@fc/forges';
import type { Logger } from '@fc/logging';
import type { PullRequestService, ReconcileResult } from '@fc/pull-requests';

export interface PullRequestPollDeps {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly pullRequests: PullRequestService;
  readonly client: ForgeClient;
  readonly accounts: readonly ForgeAccount[];
}

export interface ProjectPoll {
  readonly projectId: number;
  /** 'no-forge': the repository is on no configured forge; 'failed': the forge's list could not be read. */
  readonly status: 'polled' | 'no-forge' | 'failed';
  readonly results: readonly ReconcileResult[];
}

/** One pass over every project that builds pull requests. */
export async function pollPullRequests(
  deps: PullRequestPollDeps,
  /** Projects already told they are on no forge (each is told once per process). */
  warnedNoForge: Set<number> = new Set(),
): Promise<ProjectPoll[]> {
  const polls: ProjectPoll[] = [];
  for (const project of await projectsBuildingPullRequests(deps.pool)) {
    const log = deps.logger.child({ projectId: project.id, project: project.name });
    const repository = forgeRepositoryOf(project.repositoryUrl, deps.accounts);
    if (!repository) {
      if (!warnedNoForge.has(project.id)) {
        warnedNoForge.add(project.id);
        log.warn(
          'the project builds pull requests but its repository is on no forge FC is configured for: only webhooks tell it of pull requests (notifications.github_api_url, notifications.gitea_url)',
          { repositoryUrl: project.repositoryUrl },
        );
      }
      polls.push({ projectId: project.id, status: 'no-forge', results: [] });
      continue;
    }
    const forge = repository.account.kind;
    let open: ForgePullRequest[];
    let listedAt: Date;
    try {
      listedAt = await databaseNow(deps.pool);
      open = [];
      for (const json of await deps.client.openPullRequests(repository)) {
        const pr = parseForgePullRequest(json);
        if ('problem' in pr)
          throw new ForgeApiError('bad-answer', `a pull request in the list: ${pr.problem}`);
        open.push(pr);
      }
    } catch (e) {
      if (!(e instanceof ForgeApiError)) throw e;
      log.error("the forge's open pull requests could not be read; the next pass tries again", {
        forge,
        repository: `${repository.owner}/${repository.repo}`,
        failure: e.kind,
        httpStatus: e.status,
        error: e.message,
      });
      polls.push({ projectId: project.id, status: 'failed', results: [] });
      continue;
    }
    const results = await deps.pullRequests.reconcile(project.id, forge, open, {
      listedAt,
      baseRepository: `${repository.owner}/${repository.repo}`,
    });
    for (const r of results) {
      if (r.problem !== undefined) {
        log.error('a pull request from the forge could not be applied', {
          number: r.number,
          action: r.action,
          error: r.problem,
        });
      } else if (r.outcome && r.outcome.action !== 'ignore') {
        log.info('pull request found in the forge’s list', {
          number: r.number,
          event: r.action,
          action: r.outcome.action,
          jobset: r.outcome.jobset?.name ?? null,
          message: r.outcome.message,
        });
      }
    }
    polls.push({ projectId: project.id, status: 'polled', results });
  }
  return polls;
}

/**
 * A pass every `intervalSeconds` (the first at once, so a restarted FC catches up), never two at
 * once, on its own timer: a slow forge never delays the evaluations the scheduler requests.
 */
export function startPullRequestPoller(deps: PullRequestPollDeps & { readonly intervalSeconds: number }): {
  stop(): Promise<void>;
} {
  const warned = new Set<number>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const pass = () => {
    running = pollPullRequests(deps, warned).then(
      (polls) => {
        deps.logger.debug('pull request pass done', {
          projects: polls.length,
          failed: polls.filter((p) => p.status === 'failed').map((p) => p.projectId),
        });
      },
      (e: unknown) => {
        deps.logger.error('pull request pass failed', { error: e instanceof Error ? e.message : String(e) });
      },
    );
    void running.then(() => {
      if (!stopped) timer = setTimeout(pass, deps.intervalSeconds * 1000);
    });
  };
  pass();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
