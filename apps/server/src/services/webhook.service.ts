// Forge webhooks: an HMAC-signed push evaluates the project's enabled jobsets that fetch the pushed
// repository and branch; other events are acknowledged and ignored.
import { createHash, createHmac } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '@fc/core';
import { secretsEqual } from '@fc/auth';
import {
  projectWebhookSecrets,
  rememberWebhookDelivery,
  webhookJobsetsOfProject,
  withTransaction,
  type Pool,
} from '@fc/db';
import type { EvaluationService } from './evaluation.service';
import { parsePullRequestComment } from './pull-request-comment-payload';
import type { PullRequestCommentService } from './pull-request-comment.service';
import { parsePullRequest } from './pull-request-payload';
import type { PullRequestService } from '@fc/pull-requests';
import { jobsetsMatchingPush, parsePush, parseWebhookJson } from './webhook-push';

export type Forge = 'github' | 'gitea';

/** Longest X-GitHub-Delivery / X-Gitea-Delivery FC remembers (theirs are 36-character UUIDs). */
const MAX_DELIVERY_ID_LENGTH = 200;

export interface WebhookDelivery {
  readonly forge: Forge;
  readonly rawBody: Buffer;
  readonly signature: string | undefined;
  /** X-GitHub-Event / X-Gitea-Event; a missing header is taken as a push. */
  readonly event: string | undefined;
  /** X-GitHub-Delivery / X-Gitea-Delivery. */
  readonly deliveryId: string | undefined;
}

export interface WebhookOutcome {
  /** false: a non-push event, acknowledged and ignored. */
  readonly handled: boolean;
  readonly event: string;
  readonly ref: string | null;
  readonly jobsets: readonly { id: number; name: string }[];
  readonly message: string;
  /** For a pull_request event: its number and what FC did. */
  readonly pullRequest?: { readonly number: number; readonly action: string } | undefined;
}

export class WebhookService {
  constructor(
    private readonly pool: Pool,
    private readonly evaluations: EvaluationService,
    private readonly pullRequests: PullRequestService,
    private readonly comments: PullRequestCommentService,
  ) {}

  /**
   * Checks the signature of the raw body (GitHub: `sha256=<hex>` in X-Hub-Signature-256; Gitea:
   * `<hex>` in X-Gitea-Signature), then triggers the jobsets the push concerns.
   */
  /**
   * A signed delivery is remembered for a day by its delivery id and by the hash of its body (the id
   * is not signed); one seen before is refused (409) and triggers nothing.
   */
  private async refuseReplay(projectId: number, delivery: WebhookDelivery): Promise<void> {
    // A forge's delivery id is a UUID; one PostgreSQL could not index is no forge's.
    if (delivery.deliveryId !== undefined && delivery.deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
      const header = delivery.forge === 'github' ? 'X-GitHub-Delivery' : 'X-Gitea-Delivery';
      throw new ValidationError(`${header} is longer than ${MAX_DELIVERY_ID_LENGTH} characters`, {
        fields: [
          { field: header, in: 'header', message: `is longer than ${MAX_DELIVERY_ID_LENGTH} characters` },
        ],
      });
    }
    const bodyHash = createHash('sha256').update(delivery.rawBody).digest('hex');
    const keys = [`${delivery.forge}:${projectId}:body:${bodyHash}`];
    if (delivery.deliveryId) keys.push(`${delivery.forge}:delivery:${delivery.deliveryId}`);
    await withTransaction(this.pool, async (tx) => {
      const seenAt = await rememberWebhookDelivery(tx, keys);
      if (seenAt === undefined) return;
      const what = delivery.deliveryId ? `delivery ${delivery.deliveryId}` : 'this delivery';
      throw new ConflictError(
        `${what} was already received at ${seenAt.toISOString()}: a replayed delivery triggers nothing ` +
          '(trigger an evaluation through POST /api/v1/evaluations/trigger instead)',
      );
    });
  }

  async receive(projectId: number, delivery: WebhookDelivery): Promise<WebhookOutcome> {
    const { forge, rawBody, signature } = delivery;
    const secrets = await projectWebhookSecrets(this.pool, projectId);
    if (!secrets) throw new NotFoundError(`project ${projectId} does not exist`);
    const secret = forge === 'github' ? secrets.github : secrets.gitea;
    if (!secret) throw new ForbiddenError(`project ${projectId} has no ${forge} webhook secret`);
    const digest = createHmac('sha256', secret).update(rawBody).digest('hex');
    const expected = forge === 'github' ? `sha256=${digest}` : digest;
    if (!signature || !secretsEqual(signature, expected)) {
      throw new UnauthorizedError('the webhook signature does not match');
    }
    const json = parseWebhookJson(rawBody);
    await this.refuseReplay(projectId, delivery);
    const event = delivery.event ?? 'push';
    if (event === 'pull_request') {
      const pr = parsePullRequest(json);
      const r = await this.pullRequests.receive(projectId, forge, pr);
      return {
        handled: r.action !== 'ignore',
        event,
        ref: null,
        jobsets: r.jobset ? [r.jobset] : [],
        message: r.message,
        pullRequest: { number: pr.number, action: r.action },
      };
    }
    if (event === 'issue_comment') {
      const comment = parsePullRequestComment(json);
      const r = await this.comments.receive(projectId, forge, comment);
      return {
        handled: r.action !== 'ignore',
        event,
        ref: null,
        jobsets: r.jobset ? [r.jobset] : [],
        message: r.message,
        pullRequest: { number: comment.number, action: r.action },
      };
    }
    if (event !== 'push') {
      return {
        handled: false,
        event,
        ref: null,
        jobsets: [],
        message: `ignored: only push, pull_request and issue_comment events trigger evaluations, this was '${event}'`,
      };
    }
    const push = parsePush(json);
    const matching = jobsetsMatchingPush(await webhookJobsetsOfProject(this.pool, projectId), push);
    for (const j of matching) await this.evaluations.trigger(j.id, false, 'webhook');
    const jobsets = matching.map((j) => ({ id: j.id, name: j.name }));
    let message: string;
    if (push.branch === undefined)
      message = `no jobset follows ${push.ref}: only branch pushes trigger evaluations`;
    else if (push.deleted) message = `branch ${push.branch} was deleted: nothing to evaluate`;
    else if (jobsets.length === 0)
      message = `no enabled jobset fetches ${push.repositoryName ?? 'this repository'} on branch ${push.branch}`;
    else message = `evaluating ${jobsets.length} jobset(s) for ${push.branch}`;
    return { handled: true, event, ref: push.ref, jobsets, message };
  }
}
