// Channels: list, get (with the promoted evaluation's outputs), create, delete, promote.
import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '@fc/core';
import { Permission } from '@fc/auth';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { idParam, mapPage, pageQuery, pageView } from '../views/common.view';
import { channelDetailView, channelView, toChannelDetailView, toChannelView } from '../views/account.view';
import type { Services } from '../services/services';

const optionalId = z.coerce.number().int().positive().optional();

export function channelRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/channels',
      access: 'public',
      tag: 'channels',
      summary: 'List channels',
      query: pageQuery.extend({ jobset_id: optionalId, project_id: optionalId }),
      responses: { 200: { description: 'A page of channels', schema: pageView(channelView) } },
      handle: async ({ query }) =>
        json(
          200,
          mapPage(
            await s.channels.list({ jobsetId: query.jobset_id, projectId: query.project_id }, query),
            toChannelView,
          ),
        ),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/channels',
      access: Permission.CreateProjects,
      tag: 'channels',
      summary: 'Create a channel of a jobset',
      body: z.strictObject({
        jobset_id: z.number().int().positive(),
        name: z.string().regex(NAME_PATTERN, NAME_RULE),
      }),
      responses: {
        201: { description: 'The channel', schema: channelDetailView },
        409: { description: 'The jobset has a channel of this name' },
      },
      handle: async ({ body }) =>
        json(201, toChannelDetailView(await s.channels.create(body.jobset_id, body.name))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/channels/{id}',
      access: 'public',
      tag: 'channels',
      summary: 'Get a channel with the successful outputs of its evaluation',
      params: idParam,
      responses: { 200: { description: 'The channel', schema: channelDetailView } },
      handle: async ({ params }) => json(200, toChannelDetailView(await s.channels.get(params.id))),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/channels/{id}',
      access: Permission.CreateProjects,
      tag: 'channels',
      summary: 'Delete a channel',
      params: idParam,
      responses: { 204: { description: 'Deleted' } },
      handle: async ({ params }) => {
        await s.channels.delete(params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/channels/{id}/promote',
      access: Permission.CreateProjects,
      tag: 'channels',
      summary: 'Point the channel at an evaluation of its jobset',
      params: idParam,
      body: z.strictObject({ evaluation_id: z.number().int().positive() }),
      responses: { 200: { description: 'The channel', schema: channelDetailView } },
      handle: async ({ params, body }) =>
        json(200, toChannelDetailView(await s.channels.promote(params.id, body.evaluation_id))),
    }),
  ];
}
