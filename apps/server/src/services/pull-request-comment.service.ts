// The comment command: `/fc approve` (or `@fc approve`) commented on a pull request by a trusted user
// approves it, as the dashboard's button and the API's approve do. Trusted: listed in the project's
// pull_request_trusted_users, or allowed to write to the base repository as the forge's collaborator
// permission API says (with the forge configured in [notifications]). Anyone else's command is
// ignored, with the reason logged and answered.
import { NotFoundError } from '@fc/core';
import { pullRequestSettingsOfProject, type Pool } from '@fc/db';
import {
  ForgeApiError,
  forgeToken,
  mayWrite,
  type ForgeAccount,
  type ForgeClient,
  type ForgeKind,
} from '@fc/forges';
import type { Logger } from '@fc/logging';
import {
  commentCommand,
  type PullRequestComment,
  type PullRequestOutcome,
  type PullRequestService,
  writeAccessRepository,
} from '@fc/pull-requests';

export interface CommentOutcome {
  readonly action: PullRequestOutcome['action'];
  readonly jobset: { id: number; name: string } | null;
  readonly message: string;
}

export interface ForgeAccess {
  readonly accounts: readonly ForgeAccount[];
  readonly client: ForgeClient;
}

export class PullRequestCommentService {
  constructor(
    private readonly pool: Pool,
    private readonly pullRequests: PullRequestService,
    private readonly forges: ForgeAccess,
    private readonly logger: Logger,
  ) {}

  async receive(projectId: number, forge: ForgeKind, comment: PullRequestComment): Promise<CommentOutcome> {
    const command = commentCommand(comment);
    if (command.kind === 'ignore') {
      return {
        action: 'ignore',
        jobset: null,
        message: `comment on #${comment.number} ignored: ${command.reason}`,
      };
    }
    const project = await pullRequestSettingsOfProject(this.pool, projectId);
    if (!project) throw new NotFoundError(`project ${projectId} does not exist`);
    const trust = await this.commenterTrust(forge, comment, project);
    const log = { projectId, pullRequest: comment.number, commenter: comment.commenter, forge };
    if (!trust.trusted) {
      this.logger.warn('pull request approval comment ignored: the commenter is not trusted', {
        ...log,
        reason: trust.reason,
      });
      return {
        action: 'ignore',
        jobset: null,
        message: `/fc approve on #${comment.number} ignored: ${comment.commenter} is not trusted (${trust.reason})`,
      };
    }
    let outcome: PullRequestOutcome;
    try {
      outcome = await this.pullRequests.approve(projectId, comment.number);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return { action: 'ignore', jobset: null, message: `/fc approve ignored: ${e.message}` };
    }
    this.logger.info('pull request approved by comment', {
      ...log,
      trust: trust.reason,
      action: outcome.action,
    });
    return {
      action: outcome.action,
      jobset: outcome.jobset,
      message: `approved by ${comment.commenter} (${trust.reason}): ${outcome.message}`,
    };
  }

  private async commenterTrust(
    forge: ForgeKind,
    comment: PullRequestComment,
    project: { repositoryUrl: string; pullRequestTrustedUsers: readonly string[] },
  ): Promise<{ trusted: boolean; reason: string }> {
    const login = comment.commenter.toLowerCase();
    if (project.pullRequestTrustedUsers.some((u) => u.toLowerCase() === login)) {
      return { trusted: true, reason: 'listed in pull_request_trusted_users' };
    }
    // The base repository on the forge holding the project's repository, as the write-access check asks it.
    const repository = writeAccessRepository(
      { projectRepositoryUrl: project.repositoryUrl, baseRepository: comment.baseRepository },
      forge,
      this.forges.accounts,
    );
    if (!repository) {
      return {
        trusted: false,
        reason: `not in pull_request_trusted_users, and the base repository is on no configured ${forge} forge`,
      };
    }
    if (!forgeToken(repository)) {
      return {
        trusted: false,
        reason: `not in pull_request_trusted_users, and no ${forge} token is configured for ${repository.owner} to ask for their permission`,
      };
    }
    try {
      const permission = await this.forges.client.permission(repository, comment.commenter);
      const on = `${permission.permission} permission on ${repository.owner}/${repository.repo}`;
      return mayWrite(permission)
        ? { trusted: true, reason: on }
        : { trusted: false, reason: `not in pull_request_trusted_users, and ${on}` };
    } catch (e) {
      if (!(e instanceof ForgeApiError)) throw e;
      return { trusted: false, reason: `their permission could not be asked: ${e.message}` };
    }
  }
}
