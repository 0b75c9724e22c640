/** One route of an app as the suite attacks it: from the OpenAPI document, or the access table. */
export interface Operation {
  method: string;
  /** Fastify template, `:name` for parameters. */
  path: string;
  params: Parameter[];
  /** The JSON body's schema (resolved), when the route takes one. */
  body?: Schema;
  /** The route takes multipart/form-data (uploads). */
  multipart: boolean;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  schema: Schema;
}

export type Schema = Record<string, unknown>;

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of an OpenAPI document, `$ref`s resolved (to a bounded depth). */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = (schema: unknown, depth = 0): Schema => {
    if (depth > 12 || schema === null || typeof schema !== 'object') return (schema ?? {}) as Schema;
    if (Array.isArray(schema)) return schema.map((s) => resolve(s, depth + 1)) as unknown as Schema;
    const ref = (schema as { $ref?: string }).$ref;
    if (ref) return resolve(document.components?.schemas?.[ref.split('/').pop()!], depth + 1);
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(v, depth + 1)]));
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path: path.replace(/\{([^}]+)\}/g, ':$1'),
        params: (op.parameters ?? [])
          .filter((p) => p.in === 'path' || p.in === 'query')
          .map((p) => ({ name: p.name, in: p.in as 'path' | 'query', schema: resolve(p.schema ?? {}) })),
        body: content['application/json']?.schema ? resolve(content['application/json'].schema) : undefined,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return operations;
}

/** Routes of the access table the document does not describe (probes, docs, is-web), as bare operations. */
export function bareOperations(routeKeys: readonly string[], described: readonly Operation[]): Operation[] {
  const known = new Set(described.map((o) => `${o.method} ${o.path.replace(/\/$/, '')}`));
  return routeKeys
    .map((key) => key.split(' ') as [string, string])
    .filter(([method, path]) => method !== 'HEAD' && !known.has(`${method} ${path.replace(/\/$/, '')}`))
    .map(([method, path]) => ({
      method,
      path,
      params: [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path' as const, schema: {} })),
      multipart: false,
    }));
}
