// Forge webhooks: an HMAC-signed push evaluates every enabled jobset of the project.
// (The forge issue adds branch matching and commit statuses.)
import { createHmac } from 'node:crypto';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@fc/core';
import { secretsEqual } from '@fc/auth';
import { enabledJobsetIdsOfProject, projectWebhookSecrets, type Pool } from '@fc/db';
import type { EvaluationService } from './evaluation.service';

export type Forge = 'github' | 'gitea';

export class WebhookService {
  constructor(
    private readonly pool: Pool,
    private readonly evaluations: EvaluationService,
  ) {}

  /**
   * Checks the signature of the raw body (GitHub: `sha256=<hex>` in X-Hub-Signature-256; Gitea:
   * `<hex>` in X-Gitea-Signature) and triggers the project's jobsets. Returns their ids.
   */
  async receive(
    projectId: number,
    forge: Forge,
    rawBody: Buffer,
    signature: string | undefined,
  ): Promise<number[]> {
    const secrets = await projectWebhookSecrets(this.pool, projectId);
    if (!secrets) throw new NotFoundError(`project ${projectId} does not exist`);
    const secret = forge === 'github' ? secrets.github : secrets.gitea;
    if (!secret) throw new ForbiddenError(`project ${projectId} has no ${forge} webhook secret`);
    const digest = createHmac('sha256', secret).update(rawBody).digest('hex');
    const expected = forge === 'github' ? `sha256=${digest}` : digest;
    if (!signature || !secretsEqual(signature, expected)) {
      throw new UnauthorizedError('the webhook signature does not match');
    }
    const jobsetIds = await enabledJobsetIdsOfProject(this.pool, projectId);
    for (const id of jobsetIds) await this.evaluations.trigger(id, false, 'webhook');
    return jobsetIds;
  }
}
