import { errorBodySchema } from '@tijara/ummah';
import { z } from 'zod';
import type { Endpoint } from './endpoints.js';

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Validation failed: `{"error": "Bad Request", "details": {field: [messages]}}`',
  '401': 'Missing or unknown API key: `{"error": "invalid_api_key", "message": …}`',
  '404': 'No such object: `{"error": "Not Found", "detail": "Object with this ID does not exist."}`',
  '409': 'The object is in a state that does not allow this action',
  '422': 'The Idempotency-Key was already used with a different request',
  '429': 'Rate limited (injected by a fault rule); see `Retry-After`',
};

/**
 * OpenAPI 3.1 for the emulated API, generated from the same endpoint table (and so the same zod schemas
 * from `@tijara/ummah`) that the router validates with.
 */
export function buildOpenApi(endpoints: readonly Endpoint[], apiBase: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const parameters: JsonSchema[] = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (endpoint.request && endpoint.method === 'get') {
      const query = toJsonSchema(endpoint.request, 'input');
      const required = new Set((query['required'] as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries(
        (query['properties'] as Record<string, JsonSchema>) ?? {},
      )) {
        parameters.push({ name, in: 'query', required: required.has(name), schema });
      }
    }
    if (endpoint.method === 'post') {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Same key and body within 24 h: the first response is returned again; a different body: 422.',
        schema: { type: 'string', maxLength: 255 },
      });
    }
    const responses: Record<string, unknown> = {};
    responses[String(endpoint.status)] =
      endpoint.status === 204
        ? { description: 'No Content' }
        : {
            description: 'Success',
            content: { 'application/json': { schema: toJsonSchema(endpoint.response, 'output') } },
          };
    const errors = ['401', '404'];
    if (endpoint.request) errors.unshift('400');
    if (endpoint.method === 'post') errors.push('409', '422');
    errors.push('429');
    for (const code of errors) {
      responses[code] = {
        description: ERROR_RESPONSES[code],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const operation: JsonSchema = {
      operationId: endpoint.name,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      parameters,
      responses,
    };
    if (endpoint.request && endpoint.method !== 'get' && endpoint.method !== 'delete') {
      operation['requestBody'] = {
        required: endpoint.method === 'put' || endpoint.status === 201,
        content: { 'application/json': { schema: toJsonSchema(endpoint.request, 'input') } },
      };
    }
    (paths[endpoint.path] ??= {})[endpoint.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ummah Payment Gateway API (Tijara sandbox)',
      version: '1.0.0',
      description:
        'The Ummah REST API as emulated by @tijara/sandbox. Amounts are integer minor units; timestamps are epoch seconds.',
    },
    servers: [{ url: apiBase.replace(/\/$/, '') }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Secret key, `sk_test_…`' },
      },
      schemas: { Error: toJsonSchema(errorBodySchema, 'output') },
    },
  };
}
