// The OpenAPI 3.1 document, generated from the route table's zod schemas: what is served is what is
// validated.
import { z } from 'zod';
import type { ApiRoute } from './api-route';
import { errorView } from '../views/common.view';

type JsonObject = Record<string, unknown>;

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
}

class SchemaCollector {
  readonly components: Record<string, unknown> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
    const raw = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
    const rewritten = JSON.parse(
      JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/'),
    ) as JsonObject;
    const defs = (rewritten['$defs'] ?? {}) as Record<string, unknown>;
    for (const [name, def] of Object.entries(defs)) this.components[name] = def;
    delete rewritten['$defs'];
    delete rewritten['$schema'];
    const id = rewritten['id'];
    if (typeof id === 'string') {
      delete rewritten['id'];
      this.components[id] = rewritten;
      return { $ref: `#/components/schemas/${id}` };
    }
    return rewritten;
  }
}

function parameters(
  collector: SchemaCollector,
  schema: z.ZodType | undefined,
  where: 'path' | 'query',
): JsonObject[] {
  if (!schema) return [];
  const js = collector.convert(schema, 'input');
  const props = (js['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((js['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

const STANDARD_ERRORS: Record<string, string> = {
  '400': 'Invalid JSON or fields (details.fields names each)',
  '401': 'Missing or unknown credentials',
  '403': 'The role lacks the permission',
  '404': 'Not found',
  '413': 'The body exceeds server.max_body_size',
  '429': 'Over the rate limit',
  '503': 'The database is unavailable, or the request timed out',
};

export function buildOpenApiDocument(routes: readonly ApiRoute[], info: OpenApiInfo): JsonObject {
  const collector = new SchemaCollector();
  const errorRef = collector.convert(errorView, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const contentType = spec.contentType ?? 'application/json';
      const isError = Number(status) >= 400;
      const schema = spec.schema ? collector.convert(spec.schema, 'output') : isError ? errorRef : undefined;
      responses[status] = {
        description: spec.description,
        ...(schema ? { content: { [contentType]: { schema } } } : {}),
      };
    }
    const standard: string[] = ['429', '503'];
    if (route.params || route.query || route.body) standard.push('400');
    if (route.access !== 'public') standard.push('401');
    if (route.access !== 'public' && route.access !== 'authenticated') standard.push('403');
    if (route.params) standard.push('404');
    if (route.body) standard.push('413');
    for (const status of standard) responses[status] ??= { $ref: `#/components/responses/E${status}` };

    const operation: JsonObject = {
      operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.readmeRouteOf
        ? {
            description: `The FC README's route, served as it documents it; FC's own is ${route.readmeRouteOf}.`,
            'x-fc-readme-route': true,
          }
        : {}),
      'x-fc-access': route.access,
      security: route.access === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
      parameters: [
        ...parameters(collector, route.params, 'path'),
        ...parameters(collector, route.query, 'query'),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: collector.convert(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
    (paths[route.path] ??= {})[route.method] = operation;
  }
  const errorResponses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(STANDARD_ERRORS)) {
    errorResponses[`E${status}`] = { description, content: { 'application/json': { schema: errorRef } } };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    paths,
    components: {
      schemas: collector.components,
      responses: errorResponses,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An FC API key' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'fc.sid',
          description: 'POST /api/v1/auth/login',
        },
      },
    },
  };
}
