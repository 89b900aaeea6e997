// Forge webhooks, authenticated by the HMAC of the body with the project's secret.
import { z } from 'zod';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { rawBodyOf } from '../http/body-parsing';
import type { Forge } from '../services/webhook.service';
import type { Services } from '../services/services';

const SIGNATURE_HEADER: Record<Forge, string> = { github: 'x-hub-signature-256', gitea: 'x-gitea-signature' };
const EVENT_HEADER: Record<Forge, string> = { github: 'x-github-event', gitea: 'x-gitea-event' };
const DELIVERY_HEADER: Record<Forge, string> = { github: 'x-github-delivery', gitea: 'x-gitea-delivery' };

const outcome = z.object({
  event: z.string(),
  ref: z.string().nullable(),
  jobset_ids: z.array(z.number().int()),
  jobsets: z.array(z.object({ id: z.number().int(), name: z.string() })),
  message: z.string(),
  pull_request: z
    .object({
      number: z.number().int(),
      action: z.enum(['build', 'await-approval', 'retire', 'ignore']),
    })
    .optional()
    .describe('For a pull_request event: what FC did with the pull request'),
});

export function webhookRoutes(s: Services): ApiRoute[] {
  return (['github', 'gitea'] as const).map((forge) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/webhooks/{id}/${forge}`,
      access: 'public',
      tag: 'webhooks',
      summary: `${forge === 'github' ? 'GitHub' : 'Gitea'} webhook: pushes evaluate the jobsets that follow the pushed branch, pull requests their pr-<number> jobset`,
      description:
        `Signed with the project's ${forge}_webhook_secret (header ${SIGNATURE_HEADER[forge]}). ` +
        `A push (header ${EVENT_HEADER[forge]}: push, or no such header) triggers each enabled jobset ` +
        'that fetches the pushed repository on the pushed branch (a jobset or git input without a ' +
        "branch follows the repository's default_branch). A pull_request event of a project with " +
        'build_pull_requests creates or updates the jobset pr-<number> from the template and evaluates it ' +
        '(opened, reopened, synchronize), or disables and hides it (closed); an issue_comment holding ' +
        '`/fc approve` by a trusted user (pull_request_trusted_users, or write access on the forge) approves ' +
        'the pull request; see the README, Pull requests. Other events are answered 200 and ignored. ' +
        `Each delivery is remembered for a day by its ${DELIVERY_HEADER[forge]} and by its body: a replay is a 409.`,
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        200: { description: 'Neither a push nor a pull request FC acts on: ignored', schema: outcome },
        202: {
          description:
            'A push: the jobsets it triggered (possibly none); a pull request, or an approval by comment: what FC did',
          schema: outcome,
        },
        400: {
          description:
            'A body that is not JSON, a push whose payload has no ref or repository, a pull_request payload without pull_request, or an issue_comment payload without issue or comment',
        },
        401: { description: 'The signature does not match' },
        403: { description: 'The project has no secret for this forge' },
        404: { description: 'The project does not exist' },
        409: {
          description: `A pull request's jobset name is taken or its template is missing; or a replay: this ${DELIVERY_HEADER[forge]} or this exact body was received in the last day`,
        },
      },
      handle: async ({ params, req }) => {
        const r = await s.webhooks.receive(params.id, {
          forge,
          rawBody: rawBodyOf(req),
          signature: req.get(SIGNATURE_HEADER[forge]),
          event: req.get(EVENT_HEADER[forge]),
          deliveryId: req.get(DELIVERY_HEADER[forge]),
        });
        return json(r.handled ? 202 : 200, {
          event: r.event,
          ref: r.ref,
          jobset_ids: r.jobsets.map((j) => j.id),
          jobsets: r.jobsets,
          message: r.message,
          ...(r.pullRequest ? { pull_request: r.pullRequest } : {}),
        });
      },
    }),
  );
}
