// Load of the Swarm drill (test/docker/swarm-drill.sh): concurrent clients calling IM's
// POST /api/reduce-stock/ through nginx, as a careful client would while im-web rolls:
//
//   node swarm-load.mjs --url https://127.0.0.1:PORT --host im.localhost --token TOKEN \
//     --clients 200 --items A,B --stop-file PATH [--call-timeout-ms 180000]
//
// Each client makes calls one after another until the stop file exists (at least one call each);
// client i reduces items[i % items.length] by 1. Every call has its own Idempotency-Key and is
// retried with the same key and body when it could not have been answered by the app (network
// error, 429, 502, 503, 504), so a retry never applies twice. A call ends with 2xx or 409
// (insufficient_stock); anything else, or no end within the call timeout, is a failed call.
// Prints one JSON summary on stdout.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    clients: { type: 'string', default: '200' },
    items: { type: 'string' },
    'stop-file': { type: 'string' },
    'call-timeout-ms': { type: 'string', default: '180000' },
  },
});
for (const name of ['url', 'host', 'token', 'items', 'stop-file']) {
  if (!opts[name]) throw new Error(`--${name} is required`);
}
const target = new URL('/api/reduce-stock/', opts.url);
const items = opts.items.split(',');
const clients = Number(opts.clients);
const callTimeoutMs = Number(opts['call-timeout-ms']);
const agent = new https.Agent({ keepAlive: true, maxSockets: clients, rejectUnauthorized: false });
const RETRYABLE = new Set([429, 502, 503, 504]);

const summary = {
  calls: 0,
  attempts: 0,
  retried: 0,
  retries: {},
  replayed: 0,
  perItem: Object.fromEntries(items.map((i) => [i, { ok: 0, insufficient: 0 }])),
  failed: [],
  firstAt: 0,
  lastAt: 0,
};
const count = (reason) => (summary.retries[reason] = (summary.retries[reason] ?? 0) + 1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function post(body, key) {
  return new Promise((resolve) => {
    const req = https.request(
      target,
      {
        method: 'POST',
        agent,
        servername: opts.host,
        timeout: 30_000,
        headers: {
          Host: opts.host,
          Authorization: `Token ${opts.token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Idempotency-Key': key,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, text, replayed: res.headers['idempotent-replayed'] === 'true' }),
        );
        res.on('error', (err) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

async function call(item) {
  const key = randomUUID();
  const body = JSON.stringify({ item_no: item, amount: 1, reason: 'swarm drill' });
  const end = Date.now() + callTimeoutMs;
  summary.calls += 1;
  for (let attempt = 1; ; attempt += 1) {
    summary.attempts += 1;
    const res = await post(body, key);
    const reason = res.error ?? (RETRYABLE.has(res.status) ? `HTTP ${res.status}` : undefined);
    if (!reason) {
      if (attempt > 1) summary.retried += 1;
      if (res.replayed) summary.replayed += 1;
      if (res.status >= 200 && res.status < 300) summary.perItem[item].ok += 1;
      else if (res.status === 409 && res.text.includes('insufficient_stock')) summary.perItem[item].insufficient += 1;
      else summary.failed.push({ item, key, status: res.status, body: res.text.slice(0, 300) });
      return;
    }
    count(reason);
    if (Date.now() > end) {
      summary.failed.push({ item, key, status: 0, body: `no answer within ${callTimeoutMs} ms (last: ${reason})` });
      return;
    }
    // Backoff with jitter; nginx's per-address limits answer 429 to a burst of 200.
    await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
  }
}

async function client(i) {
  const item = items[i % items.length];
  do {
    await call(item);
  } while (!existsSync(opts['stop-file']));
}

summary.firstAt = Date.now();
await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
summary.lastAt = Date.now();
agent.destroy();
process.stdout.write(`${JSON.stringify(summary)}\n`);
