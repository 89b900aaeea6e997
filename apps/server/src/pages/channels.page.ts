// /channels: every channel with its jobset and current evaluation; a promote form (recent succeeded
// evaluations of the channel's jobset) for those who may change projects.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import type { Services } from '../services/services';
import { definePage, redirect, view, type Page } from './page-route';
import { formatTime, paths } from './view-models/display';

/** Evaluations offered in a channel's promote form. */
const PROMOTE_CHOICES = 10;

export function channelPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/channels',
      access: 'public',
      handle: async (ctx) => {
        const canPromote = ctx.can(Permission.CreateProjects);
        const channels = await s.channels.list({}, { limit: 200, offset: 0 });
        const rows = await Promise.all(
          channels.items.map(async (c) => {
            const [jobset, evaluations] = await Promise.all([
              s.projects.getJobset(c.jobsetId),
              canPromote
                ? s.evaluations.newest({ jobsetId: c.jobsetId, status: 'succeeded' }, PROMOTE_CHOICES)
                : undefined,
            ]);
            return {
              id: c.id,
              name: c.name,
              project: jobset.projectName,
              projectUrl: paths.project(jobset.projectName),
              jobset: jobset.name,
              jobsetUrl: paths.jobset(jobset.projectName, jobset.name),
              evaluationId: c.evaluationId,
              evaluationUrl: c.evaluationId !== null ? paths.evaluation(c.evaluationId) : null,
              updated: formatTime(c.updatedAt),
              choices: (evaluations ?? []).map((e) => ({
                id: e.id,
                label: `${e.id} · ${formatTime(e.createdAt)}${e.revision ? ` · ${e.revision.slice(0, 12)}` : ''}`,
                current: e.id === c.evaluationId,
              })),
            };
          }),
        );
        return view('channels', 'Channels', { channels: rows, canPromote });
      },
    }),
    definePage({
      method: 'post',
      path: '/channels/:id/promote',
      access: Permission.CreateProjects,
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: z.object({ evaluation: z.coerce.number().int().positive() }),
      back: () => '/channels',
      handle: async ({ params, body }) => {
        const { channel } = await s.channels.promote(params.id, body.evaluation);
        return redirect('/channels', {
          kind: 'success',
          text: `Channel ${channel.name} now points at evaluation ${body.evaluation}.`,
        });
      },
    }),
  ];
}
