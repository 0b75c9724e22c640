import fastifyStatic from '@fastify/static';
import { publicRoute, type RouteRule, type WebApp } from '@pjs/http';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_CSP } from './admin-csp';

/** The routes serveAdmin adds, for the service's access policy: ADMIN_ALLOWED_IPS only. */
export const ADMIN_UI_ROUTES: Readonly<Record<string, RouteRule>> = {
  'GET /admin': publicRoute('admin'),
  'GET /admin/assets/*': publicRoute('admin'),
};

export type AdminService = 'dbu' | 'im';

export interface AdminHostOptions {
  /** Which pages the admin shows: the one build serves both services. */
  service: AdminService;
  /** The built admin (`apps/admin/dist`); defaults to @pjs/admin's. */
  distDir?: string;
}

/**
 * Where `pnpm build` (Vite) leaves the admin's static files: apps/admin/dist of this checkout (or
 * image), from libs/admin-host/src and libs/admin-host/dist alike.
 */
export function adminDistDir(): string {
  return join(__dirname, '..', '..', '..', 'apps', 'admin', 'dist');
}

/**
 * The admin at `/admin/`: the page (its shell, holding no data: every record comes from the API
 * with the session's cookie, and the login happens inside it through `POST /admin/login`) and its
 * hashed assets. Call from createWebApp's `configure`; add ADMIN_UI_ROUTES to the access policy.
 * A missing build answers 503 `admin_not_built` rather than stopping the API.
 */
export async function serveAdmin(app: WebApp, options: AdminHostOptions): Promise<void> {
  const dist = options.distDir ?? adminDistDir();
  const fastify = app.getHttpAdapter().getInstance();
  let page: string | undefined;
  const shell = (): string | undefined => {
    if (page !== undefined) return page;
    const file = join(dist, 'index.html');
    if (!existsSync(file)) return undefined;
    page = readFileSync(file, 'utf8').replace('<html', `<html data-service="${options.service}"`);
    return page;
  };

  fastify.get('/admin', (_request, reply: FastifyReply) => {
    const html = shell();
    reply.header('cache-control', 'no-store');
    if (html === undefined) {
      return reply.code(503).send({ code: 'admin_not_built', message: 'The admin is not built: run pnpm build.' });
    }
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', ADMIN_CSP)
      .header('referrer-policy', 'same-origin')
      .send(html);
  });

  await app.register(fastifyStatic, {
    root: join(dist, 'assets'),
    prefix: '/admin/assets/',
    decorateReply: false,
    index: false,
    dotfiles: 'deny',
    // Vite names every asset by its content hash.
    immutable: true,
    maxAge: '365d',
  });
}
