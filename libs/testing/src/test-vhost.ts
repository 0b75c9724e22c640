import { randomBytes } from 'node:crypto';

export const TEST_RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const TEST_RABBITMQ_MANAGEMENT_URL =
  process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

export interface TestVhost {
  name: string;
  /** amqp URL of the vhost. */
  url: string;
  /** Messages waiting in a queue of the vhost (management API). */
  queueDepth(queue: string): Promise<number>;
  drop(): Promise<void>;
}

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const base = new URL(TEST_RABBITMQ_MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString(
    'base64',
  );
  base.username = '';
  base.password = '';
  const res = await fetch(new URL(`/api${path}`, base), {
    method,
    // No keep-alive: an idle pooled socket would hold the test process open after its last test.
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', connection: 'close' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok && res.status !== 404) throw new Error(`RabbitMQ management ${method} ${path}: HTTP ${res.status}`);
  return res;
}

/** A fresh RabbitMQ vhost for one test file (needs the management plugin). */
export async function createTestVhost(label: string): Promise<TestVhost> {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(new URL(TEST_RABBITMQ_URL).username || 'guest');
  await management('PUT', `/vhosts/${encodeURIComponent(name)}`, {});
  await management('PUT', `/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const url = new URL(TEST_RABBITMQ_URL);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    queueDepth: async (queue) => {
      // The management API refreshes its counters every few seconds; callers poll.
      const res = await management('GET', `/queues/${encodeURIComponent(name)}/${encodeURIComponent(queue)}`);
      if (res.status === 404) return 0;
      const info = (await res.json()) as { messages?: number };
      return info.messages ?? 0;
    },
    drop: async () => {
      await management('DELETE', `/vhosts/${encodeURIComponent(name)}`);
    },
  };
}
