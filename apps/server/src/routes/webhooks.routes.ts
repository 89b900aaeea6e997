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
});

export function webhookRoutes(s: Services): ApiRoute[] {
  return (['github', 'gitea'] as const).map((forge) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/webhooks/{id}/${forge}`,
      access: 'public',
      tag: 'webhooks',
      summary: `${forge === 'github' ? 'GitHub' : 'Gitea'} push webhook: evaluates the jobsets that follow the pushed branch`,
      description:
        `Signed with the project's ${forge}_webhook_secret (header ${SIGNATURE_HEADER[forge]}). ` +
        `A push (header ${EVENT_HEADER[forge]}: push, or no such header) triggers each enabled jobset ` +
        'that fetches the pushed repository on the pushed branch (a jobset or git input without a ' +
        "branch follows the repository's default_branch). Other events are answered 200 and ignored. " +
        `Each delivery is remembered for a day by its ${DELIVERY_HEADER[forge]} and by its body: a replay is a 409.`,
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        200: { description: 'Not a push: ignored', schema: outcome },
        202: { description: 'A push: the jobsets it triggered (possibly none)', schema: outcome },
        400: { description: 'A body that is not JSON, or a push whose payload has no ref or repository' },
        401: { description: 'The signature does not match' },
        403: { description: 'The project has no secret for this forge' },
        409: {
          description: `A replay: this ${DELIVERY_HEADER[forge]} or this exact body was received in the last day`,
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
        });
      },
    }),
  );
}
