import createClient, { type Middleware } from 'openapi-fetch';
import { HttpError } from 'react-admin';
import type { paths as DbuPaths } from './generated/dbu';
import type { paths as ImPaths } from './generated/im';

/**
 * The admin talks to the same public API as every other client, with the session cookie
 * (`pjs_session`, HttpOnly) and, on every change, the session's CSRF token. Paths, parameters and
 * bodies are typed from the OpenAPI documents (src/api/generated), so a changed route fails the
 * build rather than the page.
 */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
};

const options = { baseUrl: window.location.origin, credentials: 'same-origin' as const };

export const dbuApi = createClient<DbuPaths>(options);
dbuApi.use(csrf);
export const imApi = createClient<ImPaths>(options);
imApi.use(csrf);

/** The API's error body: `{code, message, errors?: [{field, message}]}`. */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  errors?: { field: string; message: string }[];
}

/**
 * A react-admin HttpError from an API refusal: the message for the notification and, per field,
 * the API's own message (`body.errors`), which react-admin shows under the form's inputs.
 */
export function httpError(response: Response, body: unknown): HttpError {
  const error = (body ?? {}) as ApiErrorBody;
  const errors: Record<string, string> = {};
  for (const e of error.errors ?? []) errors[e.field] = e.message;
  const message = error.message ?? `${response.status} ${response.statusText}`;
  return new HttpError(message, response.status, { ...error, errors });
}

/** The answer's data, or the API's refusal thrown as an HttpError. */
export function answer<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) throw httpError(result.response, result.error);
  return result.data as T;
}
