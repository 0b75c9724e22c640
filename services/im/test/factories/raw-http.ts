import { createHash } from 'node:crypto';
import http from 'node:http';

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** A string or buffer is sent with Content-Length; an array of chunks is sent chunked. */
  body?: string | Buffer | string[];
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  /** Header names and values exactly as sent, in order. */
  headers: [string, string][];
  body: string;
}

/** One request on its own connection, keeping the response's raw header order and casing. */
export function exchange(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { body } = request;
    const headers = { ...request.headers };
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request(
      `${baseUrl}${request.path}`,
      { method: request.method ?? 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: pairs,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

export const header = (res: RawResponse, name: string): string | undefined =>
  res.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

/** The weak ETag Express computes for a body (the `etag` package's algorithm). */
export function weakETag(body: string): string {
  const length = Buffer.byteLength(body, 'utf8');
  if (length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash('sha1').update(body, 'utf8').digest('base64').substring(0, 27);
  return `W/"${length.toString(16)}-${hash}"`;
}
