import { AccessControl, type WebApp } from '@pjs/http';

export interface RegisteredRoute {
  method: string;
  path: string;
  /** The scope the access policy asks for; null for public routes. */
  scope: string | null;
}

/**
 * Every route Fastify registered (Nest controllers and Swagger's handlers alike), as the access
 * check placed them in the policy when they were registered.
 */
export function registeredRoutes(app: WebApp): RegisteredRoute[] {
  return app.get(AccessControl).routes.map((rule) => {
    const [method, path] = rule.key.split(' ');
    return { method, path, scope: rule.scope };
  });
}

/** A concrete URL for a route template (`:item_no` → a sample value, `*` → a file name). */
export function sampleUrl(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => `sample-${name}`).replace(/\*$/, 'sample.js');
}
