// Forge webhooks, authenticated by the HMAC of the body with the project's secret.
import { z } from 'zod';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { rawBodyOf } from '../http/body-parsing';
import type { Forge } from '../services/webhook.service';
import type { Services } from '../services/services';

const SIGNATURE_HEADER: Record<Forge, string> = { github: 'x-hub-signature-256', gitea: 'x-gitea-signature' };

export function webhookRoutes(s: Services): ApiRoute[] {
  return (['github', 'gitea'] as const).map((forge) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/webhooks/{id}/${forge}`,
      access: 'public',
      tag: 'webhooks',
      summary: `${forge === 'github' ? 'GitHub' : 'Gitea'} push webhook: evaluates the project's enabled jobsets`,
      description: `Signed with the project's ${forge}_webhook_secret (header ${SIGNATURE_HEADER[forge]}).`,
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        202: {
          description: 'Evaluations requested',
          schema: z.object({ jobset_ids: z.array(z.number().int()) }),
        },
      },
      handle: async ({ params, req }) => {
        const ids = await s.webhooks.receive(
          params.id,
          forge,
          rawBodyOf(req),
          req.get(SIGNATURE_HEADER[forge]),
        );
        return json(202, { jobset_ids: ids });
      },
    }),
  );
}
