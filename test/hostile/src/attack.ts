import type { DataSource } from '@pjs/database';
import { createTestUser, type TestUser } from '@pjs/testing';
import type { WebApp } from '@pjs/http';
import { hostileRequests, type HostileRequest } from './hostile-input';
import type { Operation } from './operations';
import { tableChecksums } from './table-checksums';

export interface Finding {
  route: string;
  request: string;
  problem: string;
}

export interface AttackOptions {
  app: WebApp;
  dataSource?: DataSource;
  /** Tables written on purpose while refusing (audit trail, throttles, token use). */
  ignoreTables?: readonly string[];
  /** The admin whose token the requests carry (renewed when a route revoked it, e.g. logout). */
  admin?: TestUser;
  /** An authenticated GET that answers 200 while the token is good. */
  tokenCheckUrl?: string;
  runs: number;
  seed: number;
}

export interface AttackReport {
  requests: number;
  /** Answers 2xx to a hostile input (accepted as valid: no 5xx, nothing to compare). */
  accepted: number;
  findings: Finding[];
}

/** A small stable hash, so each route gets its own reproducible sample. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Sends `runs` hostile requests to every operation through the app's full pipeline (Fastify's
 * inject: routing, access check, validation, handlers, error filter). Findings: any 5xx, a 4xx
 * without the `{code, message}` body, and any table changed by a batch whose every request was refused.
 */
export async function attack(operations: Operation[], options: AttackOptions): Promise<AttackReport> {
  const fastify = options.app.getHttpAdapter().getInstance();
  const report: AttackReport = { requests: 0, accepted: 0, findings: [] };
  let admin = options.admin;

  for (const op of operations) {
    const route = `${op.method} ${op.path}`;
    if (admin && options.dataSource && options.tokenCheckUrl) {
      const check = await fastify.inject({
        method: 'GET',
        url: options.tokenCheckUrl,
        headers: { authorization: `Token ${admin.token}` },
      });
      if (check.statusCode === 401) admin = await createTestUser(options.dataSource, { admin: true });
    }
    const requests = hostileRequests(op, options.runs, (options.seed ^ hash(route)) >>> 0);
    const before = options.dataSource ? await tableChecksums(options.dataSource, options.ignoreTables ?? []) : {};
    let allRefused = true;
    for (const req of requests) {
      report.requests += 1;
      const res = await send(fastify, req, admin);
      const where = `${req.method} ${req.url.slice(0, 120)} (${req.label})`;
      if (res.statusCode >= 500) {
        report.findings.push({ route, request: where, problem: `${res.statusCode} ${res.body.slice(0, 200)}` });
      } else if (res.statusCode >= 400 && isJson(res.headers['content-type']) && !hasCode(res.body)) {
        report.findings.push({ route, request: where, problem: `${res.statusCode} without {code, message}` });
      }
      if (res.statusCode < 400) {
        allRefused = false;
        report.accepted += 1;
      }
    }
    if (options.dataSource && allRefused) {
      const after = await tableChecksums(options.dataSource, options.ignoreTables ?? []);
      for (const table of Object.keys({ ...before, ...after })) {
        if (before[table] !== after[table]) {
          report.findings.push({ route, request: `${requests.length} refused requests`, problem: `changed ${table}` });
        }
      }
    }
  }
  return report;
}

type Fastify = ReturnType<WebApp['getHttpAdapter']>['getInstance'] extends () => infer F ? F : never;

async function send(
  fastify: Fastify,
  req: HostileRequest,
  admin: TestUser | undefined,
): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...req.headers };
  if (admin) headers.authorization = `Token ${admin.token}`;
  const res = await fastify.inject({
    method: req.method as 'GET',
    url: req.url,
    headers,
    payload: req.body,
  });
  return { statusCode: res.statusCode, body: res.body, headers: res.headers };
}

const isJson = (type: unknown) => typeof type === 'string' && type.includes('json');

function hasCode(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    return typeof parsed.code === 'string' && typeof parsed.message === 'string';
  } catch {
    return false;
  }
}
