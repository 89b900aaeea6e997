// Pull requests: each open one of a project that builds them has its jobset pr-<number>, copied from
// the project's template jobset with the repository at the pull request's head, evaluated on open,
// reopen and each new head; closing it disables and hides the jobset. Untrusted authors' pull
// requests wait for an approval.
import { ConflictError, DomainError, NotFoundError, sameRepository } from '@fc/core';
import {
  approvePullRequest,
  defaultTemplateJobsetId,
  findJobset,
  findPullRequest,
  insertJobset,
  listPullRequestsOfProject,
  jobsetIdByName,
  lockPullRequest,
  pullRequestSettingsOfProject,
  pullRequestsToReconcile,
  replaceJobsetInputs,
  setJobsetSource,
  setPullRequestJobset,
  updateJobset,
  upsertPullRequest,
  withTransaction,
  type JobsetFields,
  type JobsetInputFields,
  type JobsetRow,
  type Pool,
  type PoolClient,
  type PullRequestRow,
  type PullRequestSettingsRow,
} from '@fc/db';
import type { ForgePullRequest } from '@fc/forges';
import { requestEvaluation, type Boss } from '@fc/queue';
import type { AuthorWriteAccess, WriteAccessAnswer } from './author-write-access';
import { decidePullRequest, isTrustedPullRequest, type PullRequestAction } from './pull-request-decision';
import type { PullRequestEvent } from './pull-request-event';
import { reconcilePullRequests } from './pull-request-reconcile';

export interface PullRequestOutcome {
  readonly action: PullRequestAction['kind'];
  /** The pull request's jobset, when it has one. */
  readonly jobset: { id: number; name: string } | null;
  readonly message: string;
}

export function pullRequestJobsetName(number: number): string {
  return `pr-${number}`;
}

/**
 * The template's fields for the pull request: same expression, inputs and options, the repository
 * at the head. Secret inputs are copied only when the head is the project's own repository.
 */
function jobsetFromTemplate(
  template: JobsetRow,
  pr: PullRequestRow,
  project: PullRequestSettingsRow,
): { fields: JobsetFields; inputs: JobsetInputFields[]; repositoryUrl: string | null } {
  const ownRepository = sameRepository(pr.headRepositoryUrl, project.repositoryUrl);
  const inExpressionInput = template.nixExpressionInput !== null;
  const inputs = template.inputs
    .filter((i) => ownRepository || !i.secret)
    .map((i) =>
      i.type === 'git' && sameRepository(i.value, project.repositoryUrl)
        ? { ...i, value: pr.headRepositoryUrl, branch: pr.headBranch }
        : i,
    );
  return {
    fields: {
      name: pullRequestJobsetName(pr.number),
      description: `Pull request #${pr.number}${pr.title ? `: ${pr.title}` : ''} (by ${pr.author})`,
      flakeMode: template.flakeMode,
      nixExpression: template.nixExpression,
      nixExpressionInput: template.nixExpressionInput,
      branch: inExpressionInput ? template.branch : pr.headBranch,
      checkInterval: template.checkInterval,
      state: template.state === 'disabled' ? 'enabled' : template.state,
      schedulingShares: template.schedulingShares,
      keepNr: template.keepNr,
      hidden: false,
      enableDynamicRunCommand: false,
    },
    inputs,
    repositoryUrl: inExpressionInput ? null : pr.headRepositoryUrl,
  };
}

/** Closed on 'closed', open on an action that opens or moves the head, else as it was. */
const NEW_HEAD_ACTIONS = ['opened', 'reopened', 'synchronize', 'synchronized'];

function stateAfter(action: string, before: 'open' | 'closed' | undefined): 'open' | 'closed' {
  if (action === 'closed') return 'closed';
  if (NEW_HEAD_ACTIONS.includes(action)) return 'open';
  return before ?? 'open';
}

export interface ReceiveOptions {
  /** What asks for the evaluation: the webhook, or the scheduler's pass over the forge's list. */
  readonly reason?: 'webhook' | 'schedule';
  /**
   * When the forge's list the event was derived from was read (the database's clock): a pull request
   * FC recorded after it (a webhook came meanwhile) is newer than the list and left as it is.
   */
  readonly listedAt?: Date;
}

export interface ReconcileResult {
  readonly number: number;
  /** The event FC derived from the list, or 'skip'. */
  readonly action: string;
  readonly outcome?: PullRequestOutcome;
  /** Why it was skipped, or what failed (a missing template jobset). */
  readonly problem?: string;
}

export class PullRequestService {
  constructor(
    private readonly pool: Pool,
    private readonly boss: Boss,
    /** Asks the forge whether an author may write to the pull request's base repository; absent: never asked. */
    private readonly authorWriteAccess?: AuthorWriteAccess,
  ) {}

  /**
   * A pull_request event, already authenticated (a webhook's, or one the scheduler derived from the
   * forge's list of open pull requests): records it and acts as decidePullRequest says.
   */
  async receive(
    projectId: number,
    forge: 'github' | 'gitea',
    event: PullRequestEvent,
    options: ReceiveOptions = {},
  ): Promise<PullRequestOutcome> {
    const reason = options.reason ?? 'webhook';
    // Asked before the transaction, so no row stays locked while the forge answers.
    const asked = await this.askWriteAccess(projectId, forge, event, reason);
    const outcome = await withTransaction(this.pool, async (tx) => {
      const project = await this.settings(tx, projectId);
      const before = await lockPullRequest(tx, projectId, event.number);
      if (options.listedAt && before && before.updatedAt > options.listedAt) {
        return {
          action: 'ignore' as const,
          jobset: null,
          message: `pull request #${event.number} changed after the forge's list was read: left as it is`,
        };
      }
      const pr = await upsertPullRequest(tx, {
        projectId,
        number: event.number,
        forge,
        author: event.author,
        title: event.title,
        headRepositoryUrl: event.headRepositoryUrl,
        headBranch: event.headBranch,
        headSha: event.headSha,
        state: stateAfter(event.action, before?.state),
        baseRepository: event.baseRepository ?? null,
        merged: event.action === 'closed' && event.merged === true,
        authorMayWrite: asked === undefined ? (before?.authorMayWrite ?? null) : asked.mayWrite,
      });
      const decision = decidePullRequest({
        action: event.action,
        buildPullRequests: project.buildPullRequests,
        trusted:
          isTrustedPullRequest(pr, {
            repositoryUrl: project.repositoryUrl,
            trustedUsers: project.pullRequestTrustedUsers,
          }) || pr.authorMayWrite === true,
        approved: pr.approvedAt !== null,
        hasJobset: pr.jobsetId !== null,
      });
      const result = await this.apply(tx, decision, pr, project);
      return asked?.problem && result.action === 'await-approval'
        ? {
            ...result,
            message: `${result.message}; the forge could not say whether ${pr.author} may write: ${asked.problem}`,
          }
        : result;
    });
    if (outcome.action === 'build' && outcome.jobset) await this.evaluate(outcome.jobset.id, reason);
    return outcome;
  }

  /**
   * The forge's list of open pull requests (every page, read at `listedAt`), applied as the webhooks
   * would have been: new ones opened, moved heads synchronized, missing ones closed. One pull
   * request's failure (no template jobset) is reported and the others go on.
   */
  async reconcile(
    projectId: number,
    forge: 'github' | 'gitea',
    open: readonly ForgePullRequest[],
    list: {
      /** When the list was read (the database's clock). */
      readonly listedAt: Date;
      /** "owner/name" of the repository the list is of. */
      readonly baseRepository: string;
    },
  ): Promise<ReconcileResult[]> {
    const known = await pullRequestsToReconcile(
      this.pool,
      projectId,
      forge,
      open.map((p) => p.number),
    );
    const results: ReconcileResult[] = [];
    const { listedAt } = list;
    for (const step of reconcilePullRequests(open, known, list.baseRepository)) {
      if (step.kind === 'skip') {
        results.push({ number: step.number, action: 'skip', problem: step.reason });
        continue;
      }
      const { number, action } = step.event;
      try {
        const outcome = await this.receive(projectId, forge, step.event, { reason: 'schedule', listedAt });
        results.push({ number, action, outcome });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({ number, action, problem: e.message });
      }
    }
    return results;
  }

  /**
   * The forge's answer for an author FC does not trust by itself, on a new head; undefined when not
   * asked. The scheduler asks again only when the head moved (a webhook always asks).
   */
  private async askWriteAccess(
    projectId: number,
    forge: 'github' | 'gitea',
    event: PullRequestEvent,
    reason: 'webhook' | 'schedule',
  ): Promise<WriteAccessAnswer | undefined> {
    if (!this.authorWriteAccess || !NEW_HEAD_ACTIONS.includes(event.action)) return undefined;
    const project = await pullRequestSettingsOfProject(this.pool, projectId);
    if (!project?.buildPullRequests) return undefined;
    const before = await findPullRequest(this.pool, projectId, event.number);
    if (before?.approvedAt) return undefined;
    const trusted = isTrustedPullRequest(event, {
      repositoryUrl: project.repositoryUrl,
      trustedUsers: project.pullRequestTrustedUsers,
    });
    if (trusted) return undefined;
    const seen =
      before !== undefined &&
      before.headSha === event.headSha &&
      before.author === event.author &&
      before.authorMayWrite !== null;
    if (reason === 'schedule' && seen) return undefined;
    return this.authorWriteAccess(
      { projectRepositoryUrl: project.repositoryUrl, baseRepository: event.baseRepository ?? null },
      forge,
      event.author,
    );
  }

  /** An admin's approval of an untrusted author's pull request: it is built now and at each new head. */
  async approve(projectId: number, number: number): Promise<PullRequestOutcome> {
    const outcome = await withTransaction(this.pool, async (tx) => {
      const project = await this.settings(tx, projectId);
      const pr = await lockPullRequest(tx, projectId, number);
      if (!pr)
        throw new NotFoundError(`project ${projectId} has no pull request #${number} that FC heard of`);
      await approvePullRequest(tx, projectId, number);
      if (pr.state === 'closed') {
        return {
          action: 'ignore' as const,
          jobset: null,
          message: `pull request #${number} is closed: approved only`,
        };
      }
      if (!project.buildPullRequests) {
        return {
          action: 'ignore' as const,
          jobset: null,
          message: 'approved; the project does not build pull requests (build_pull_requests is off)',
        };
      }
      return this.apply(tx, { kind: 'build' }, pr, project);
    });
    if (outcome.action === 'build' && outcome.jobset) await this.evaluate(outcome.jobset.id, 'api');
    return outcome;
  }

  /** The project's pull requests, each with whether it waits for approval. */
  async list(projectId: number): Promise<{ pr: PullRequestRow; waiting: boolean }[]> {
    const project = await pullRequestSettingsOfProject(this.pool, projectId);
    if (!project) throw new NotFoundError(`project ${projectId} does not exist`);
    const trusted = { repositoryUrl: project.repositoryUrl, trustedUsers: project.pullRequestTrustedUsers };
    return (await listPullRequestsOfProject(this.pool, projectId)).map((pr) => ({
      pr,
      waiting:
        pr.state === 'open' &&
        pr.approvedAt === null &&
        pr.authorMayWrite !== true &&
        !isTrustedPullRequest(pr, trusted),
    }));
  }

  private async evaluate(jobsetId: number, reason: 'webhook' | 'schedule' | 'api'): Promise<void> {
    await requestEvaluation(this.pool, this.boss, { jobsetId, force: false, reason });
  }

  private async settings(tx: PoolClient, projectId: number): Promise<PullRequestSettingsRow> {
    const project = await pullRequestSettingsOfProject(tx, projectId);
    if (!project) throw new NotFoundError(`project ${projectId} does not exist`);
    return project;
  }

  private async apply(
    tx: PoolClient,
    decision: PullRequestAction,
    pr: PullRequestRow,
    project: PullRequestSettingsRow,
  ): Promise<PullRequestOutcome> {
    const name = pullRequestJobsetName(pr.number);
    switch (decision.kind) {
      case 'ignore':
        return {
          action: 'ignore',
          jobset: null,
          message: `pull request #${pr.number} ignored: ${decision.reason}`,
        };
      case 'await-approval':
        return {
          action: 'await-approval',
          jobset: null,
          message:
            `pull request #${pr.number} by ${pr.author} comes from ${pr.headRepositoryUrl}, not the project's ` +
            `repository, and its author is not trusted: it waits for approval ` +
            `(POST /api/v1/projects/${project.id}/pull-requests/${pr.number}/approve)`,
        };
      case 'retire': {
        await updateJobset(tx, pr.jobsetId!, { state: 'disabled', hidden: true });
        return {
          action: 'retire',
          jobset: { id: pr.jobsetId!, name },
          message: `pull request #${pr.number} ${pr.merged ? 'merged' : 'closed'}: ${name} disabled and hidden`,
        };
      }
      case 'build': {
        const id = await this.upsertJobset(tx, pr, project);
        return { action: 'build', jobset: { id, name }, message: `evaluating ${name} at ${pr.headSha}` };
      }
    }
  }

  private async upsertJobset(
    tx: PoolClient,
    pr: PullRequestRow,
    project: PullRequestSettingsRow,
  ): Promise<number> {
    const templateName = project.pullRequestTemplateJobset;
    const templateId = templateName
      ? await jobsetIdByName(tx, project.id, templateName)
      : await defaultTemplateJobsetId(tx, project.id);
    const template = templateId === undefined ? undefined : await findJobset(tx, templateId);
    if (!template) {
      throw new ConflictError(
        templateName
          ? `the pull request template jobset '${templateName}' (pull_request_template_jobset) does not exist`
          : 'the project has no jobset to copy for pull requests: create one, or set pull_request_template_jobset',
      );
    }
    const { fields, inputs, repositoryUrl } = jobsetFromTemplate(template, pr, project);
    let id = pr.jobsetId;
    if (id === null) {
      if ((await jobsetIdByName(tx, project.id, fields.name)) !== undefined) {
        throw new ConflictError(
          `a jobset named ${fields.name} exists and is not pull request #${pr.number}'s: rename it to build the pull request`,
        );
      }
      id = await insertJobset(tx, project.id, fields);
      await setPullRequestJobset(tx, project.id, pr.number, id);
    } else {
      await updateJobset(tx, id, fields);
    }
    await replaceJobsetInputs(tx, id, inputs);
    // The head commit itself when the expression is in the repository; git inputs follow the branch.
    await setJobsetSource(tx, id, {
      repositoryUrl,
      pinnedRevision: repositoryUrl === null ? null : pr.headSha,
    });
    return id;
  }
}
