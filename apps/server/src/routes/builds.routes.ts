// Builds: list with filters, stats, recent, one build, its log and steps; cancel, restart, bump.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { defineRoute, json, JSON_CONTENT_TYPE, type ApiRoute, type Reply } from '../http/api-route';
import { cursorPageQuery, idParam, iso } from '../views/common.view';
import { BUILD_STATUS_NAMES } from '@fc/core';
import {
  buildPageJsonText,
  buildPageView,
  buildStatsView,
  buildStepView,
  buildView,
  toBuildStepView,
  toBuildView,
} from '../views/build.view';
import { parseStatusFilter, type BuildJsonPage } from '../services/build.service';
import { followBuildLog, logSource } from '../services/build-log-follower';
import type { LogOrigin } from '../services/build-log.service';
import { resumeOffset, sseReply, type SseEvent } from '../http/server-sent-events';
import type { Services } from '../services/services';
import { BUILD_LOG_STEP } from '@fc/db';

const optionalId = z.coerce.number().int().positive().optional();

const buildFilterQuery = cursorPageQuery.extend({
  project_id: optionalId,
  jobset_id: optionalId,
  evaluation_id: optionalId,
  job: z.string().min(1).optional(),
  system: z.string().min(1).optional(),
  status: z.enum(BUILD_STATUS_NAMES).optional(),
});

/** How often a followed build's log and state are read again, and the client's reconnection delay. */
const LOG_POLL_MS = 500;
const LOG_RETRY_MS = 2000;

const logStreamQuery = z.object({
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Byte offset to start from (a Last-Event-ID header takes precedence)'),
});
const logQuery = z.object({ offset: z.coerce.number().int().nonnegative().optional() });
const stepParams = idParam.extend({ nr: z.coerce.number().int().positive() });

const LOG_DESCRIPTION =
  "Without `offset`: the whole log as stored now (a running build's log so far). With `offset`: up to " +
  '1 MiB from that byte, with `X-Log-Next-Offset` (where to read next) and `X-Log-Complete` ' +
  '(`true`: the log is closed and this answer reaches its end; `false`: more may come) headers.';

const BUILD_LOG_DESCRIPTION =
  `${LOG_DESCRIPTION} A cached build (it built nothing) answers with the log of the build that ` +
  'produced its outputs, when FC has it: `X-Log-Build` names that build, and `X-Log-Step` its step ' +
  "when the outputs were built as a step of it (a dependency); both are absent for a build's own log.";

/** The headers that say whose log an answer is, when not the build's own. */
function originHeaders(origin: LogOrigin | undefined): Record<string, string> {
  if (!origin) return {};
  return {
    'X-Log-Build': String(origin.buildId),
    ...(origin.stepNr === BUILD_LOG_STEP ? {} : { 'X-Log-Step': String(origin.stepNr) }),
  };
}

async function logReply(
  s: Services,
  buildId: number,
  step: number,
  offset: number | undefined,
): Promise<Reply> {
  const contentType = 'text/plain; charset=utf-8';
  if (offset === undefined) {
    const log = await s.logs.open(buildId, step);
    return { status: 200, stream: log.stream, contentType, headers: originHeaders(log.origin) };
  }
  const slice = await s.logs.read(buildId, { step, offset });
  return {
    status: 200,
    stream: Readable.from([slice.data]),
    contentType,
    headers: {
      'X-Log-Next-Offset': String(slice.nextOffset),
      'X-Log-Complete': String(slice.complete),
      ...originHeaders(slice.origin),
    },
  };
}

/** A page of the builds list: its JSON is written by PostgreSQL, not parsed and serialized again. */
function buildPageReply(p: BuildJsonPage): Reply {
  return { status: 200, text: buildPageJsonText(p), contentType: JSON_CONTENT_TYPE };
}

export function buildRoutes(s: Services): ApiRoute[] {
  const logs = logSource(s.builds, s.logs);
  const action = (
    verb: 'cancel' | 'restart' | 'bump',
    access: Permission,
    summary: string,
    conflict: string,
  ): ApiRoute =>
    defineRoute({
      method: 'post',
      path: `/api/v1/builds/{id}/${verb}`,
      access,
      tag: 'builds',
      summary,
      params: idParam,
      responses: {
        200: { description: 'The updated build', schema: buildView },
        409: { description: conflict },
      },
      handle: async ({ params }) => json(200, toBuildView(await s.builds[verb](params.id))),
    });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/builds',
      access: 'public',
      tag: 'builds',
      summary: 'List builds, newest first',
      description:
        'evaluation_id lists every build of the evaluation, including those reused from earlier evaluations. ' +
        'status is a status name (queued, running, succeeded, ...). total is exact up to 1,000 matches. ' +
        "Page with cursor (each page's next_cursor): as fast at any depth; offset goes up to 10,000.",
      query: buildFilterQuery,
      responses: { 200: { description: 'A page of builds', schema: buildPageView } },
      handle: async ({ query }) => {
        const page = await s.builds.list(
          {
            projectId: query.project_id,
            jobsetId: query.jobset_id,
            evaluationId: query.evaluation_id,
            job: query.job,
            system: query.system,
            status: parseStatusFilter(query.status),
          },
          query,
        );
        return buildPageReply(page);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/stats',
      access: 'public',
      tag: 'builds',
      summary:
        'Build counts: queued and running (live), finished per status and in the last hour (refreshed every few seconds)',
      responses: { 200: { description: 'Counts', schema: buildStatsView } },
      handle: async () => {
        const st = await s.builds.statistics();
        return json(200, {
          total: st.total,
          queued: st.queued,
          running: st.running,
          finished: st.finished,
          by_status: st.byStatus,
          finished_last_hour: st.finishedLastHour,
          finished_counted_at: iso(st.finishedCountedAt),
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/recent',
      access: 'public',
      tag: 'builds',
      summary: 'Recently finished builds, latest first',
      query: buildFilterQuery.omit({ status: true }),
      responses: { 200: { description: 'A page of finished builds', schema: buildPageView } },
      handle: async ({ query }) => {
        const page = await s.builds.list(
          {
            projectId: query.project_id,
            jobsetId: query.jobset_id,
            evaluationId: query.evaluation_id,
            job: query.job,
            system: query.system,
          },
          query,
          'stopped',
        );
        return buildPageReply(page);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/{id}',
      access: 'public',
      tag: 'builds',
      summary: 'Get a build with its outputs, products, metrics and constituents',
      params: idParam,
      responses: { 200: { description: 'The build', schema: buildView } },
      handle: async ({ params }) => json(200, toBuildView(await s.builds.get(params.id))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/{id}/log',
      access: 'public',
      tag: 'builds',
      summary: "The build's log, whichever machine built it (404 until one exists)",
      description: BUILD_LOG_DESCRIPTION,
      params: idParam,
      query: logQuery,
      responses: { 200: { description: 'The log', contentType: 'text/plain', schema: z.string() } },
      handle: async ({ params, query }) => logReply(s, params.id, 0, query.offset),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/{id}/steps/{nr}/log',
      access: 'public',
      tag: 'builds',
      summary: "A build step's log (404 until one exists)",
      description: LOG_DESCRIPTION,
      params: stepParams,
      query: logQuery,
      responses: { 200: { description: 'The log', contentType: 'text/plain', schema: z.string() } },
      handle: async ({ params, query }) => logReply(s, params.id, params.nr, query.offset),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/{id}/log/stream',
      access: 'public',
      tag: 'builds',
      summary: "Follow the build's log live (server-sent events)",
      description:
        'A text/event-stream. Each `log` event carries `{"text": ...}`: the log from where the previous ' +
        'event ended, in whole lines while the build runs; its `id` is the byte offset reached, so a ' +
        'client that reconnects with `Last-Event-ID` (or `?offset=`) resumes there. The stream ends ' +
        'with one `end` event carrying the finished build (the Build schema). A finished build gives its ' +
        'whole log, then the end; a queued build waits for its log to start. A cached build follows the ' +
        'log of the build that produced its outputs: an `origin` event (`{"build_id": ..., "step_nr": ...}`, ' +
        'step_nr 0 for a build log) comes before its first `log` event.',
      params: idParam,
      query: logStreamQuery,
      responses: {
        200: { description: 'The event stream', contentType: 'text/event-stream', schema: z.string() },
      },
      handle: async ({ params, query, req, res }) => {
        await s.builds.get(params.id); // a build that does not exist is a 404, not an empty stream
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        const from = resumeOffset(req.get('last-event-id'), query.offset);
        async function* wire(): AsyncGenerator<SseEvent> {
          for await (const e of followBuildLog(logs, params.id, from, {
            pollMs: LOG_POLL_MS,
            signal: gone.signal,
          })) {
            if (e.kind === 'log') yield { event: 'log', id: String(e.offset), data: { text: e.text } };
            else if (e.kind === 'origin')
              yield { event: 'origin', data: { build_id: e.origin.buildId, step_nr: e.origin.stepNr } };
            else yield { event: 'end', data: toBuildView(e.build) };
          }
        }
        return sseReply(wire(), LOG_RETRY_MS);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/builds/{id}/steps',
      access: 'public',
      tag: 'builds',
      summary: "The build's steps (builds and substitutions of it and its dependencies)",
      params: idParam,
      responses: { 200: { description: 'The steps', schema: z.object({ items: z.array(buildStepView) }) } },
      handle: async ({ params }) =>
        json(200, { items: (await s.builds.steps(params.id)).map(toBuildStepView) }),
    }),
    action(
      'cancel',
      Permission.CancelBuild,
      'Cancel a queued or running build (status 4; a running build is killed)',
      'The build has already finished',
    ),
    action(
      'restart',
      Permission.RestartJobs,
      'Queue a finished build again under the same id',
      'The build is still queued or running',
    ),
    action(
      'bump',
      Permission.BumpToFront,
      'Move a queued build to the front of the queue',
      'The build has already finished',
    ),
  ];
}
