import { applyDecorators } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Kind, type TObject, type TSchema } from '@sinclair/typebox';
import { ErrorSchema } from './schema/error.schema';

/** Every error answer's body, declared once per document (`components.schemas.Error`, see createApiDocument). */
export const ERROR_SCHEMA_NAME = 'Error';
export const ERROR_REF = `#/components/schemas/${ERROR_SCHEMA_NAME}`;

/** The Error component itself. */
export const errorSchemaForDocs = (): SchemaObject => forDocs(ErrorSchema);

type ResponseSpec = TSchema | string | { description: string; schema?: TSchema };

export interface EndpointOptions {
  summary: string;
  description?: string;
  /** JSON (or form) body. */
  body?: TSchema;
  /** Content types of the body, when not only JSON. */
  consumes?: string[];
  query?: TObject;
  params?: TObject;
  /** Header names in lower case; other headers are kept. */
  headers?: TObject;
  /** Status → body schema, or a description (4xx/5xx: the Error body). */
  responses?: Record<number, ResponseSpec>;
  produces?: string[];
}

/**
 * A schema as OpenAPI 3.0 shows it: our error-message annotation left out, and JSON Schema's
 * `const` (TypeBox literals), which 3.0 lacks, written as the one-value `enum` it means.
 */
export function forDocs(schema: unknown): SchemaObject {
  if (Array.isArray(schema)) return schema.map(forDocs) as unknown as SchemaObject;
  if (schema === null || typeof schema !== 'object') return schema as SchemaObject;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'errorMessage') continue;
    if (key === 'const') copy.enum = [value];
    else copy[key] = forDocs(value);
  }
  return copy;
}

function properties(schema: TObject): [string, TSchema, boolean][] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, prop]) => [name, prop, required.has(name)]);
}

/**
 * One declaration per route for both jobs: the schemas Fastify compiles to validate the request
 * (body, query, path, headers) and the OpenAPI operation built from the very same schemas.
 */
export function Endpoint(options: EndpointOptions): MethodDecorator {
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    ApiOperation({ summary: options.summary, ...(options.description ? { description: options.description } : {}) }),
  ];
  const schema: Record<string, TSchema> = {};
  if (options.body) {
    schema.body = options.body;
    decorators.push(ApiBody({ schema: forDocs(options.body) }));
    if (options.consumes) decorators.push(ApiConsumes(...options.consumes));
  }
  if (options.query) {
    schema.querystring = options.query;
    for (const [name, prop, required] of properties(options.query)) {
      decorators.push(ApiQuery({ name, required, schema: forDocs(prop), description: prop.description as string }));
    }
  }
  if (options.params) {
    schema.params = options.params;
    for (const [name, prop] of properties(options.params)) {
      decorators.push(
        ApiParam({ name, required: true, schema: forDocs(prop), description: prop.description as string }),
      );
    }
  }
  if (options.headers) {
    schema.headers = options.headers;
    for (const [name, prop, required] of properties(options.headers)) {
      decorators.push(ApiHeader({ name, required, schema: forDocs(prop), description: prop.description }));
    }
  }
  for (const [status, spec] of Object.entries(options.responses ?? {})) {
    const code = Number(status);
    if (typeof spec === 'string') {
      decorators.push(
        ApiResponse({ status: code, description: spec, ...(code >= 400 ? { schema: { $ref: ERROR_REF } } : {}) }),
      );
    } else if (!(Kind in spec)) {
      const s = spec;
      decorators.push(
        ApiResponse({
          status: code,
          description: s.description,
          ...(s.schema ? { schema: forDocs(s.schema) } : code >= 400 ? { schema: { $ref: ERROR_REF } } : {}),
        }),
      );
    } else {
      decorators.push(ApiResponse({ status: code, description: 'OK', schema: forDocs(spec) }));
    }
  }
  if (options.produces) decorators.push(ApiProduces(...options.produces));
  if (Object.keys(schema).length) decorators.push(RouteSchema(schema));
  return applyDecorators(...decorators);
}
