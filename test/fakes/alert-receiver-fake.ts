/**
 * A fake of the webhooks Alertmanager notifies in production: the Slack-style incoming webhook of
 * the `ops` receiver (Slack, Mattermost, ...) and the dead man's switch of the `deadman` receiver
 * (healthchecks.io and the like). It accepts a JSON POST on any path, answers 200 `ok` as those
 * services do, and keeps every notification in arrival order for the test to read.
 *
 *   const receiver = await startAlertReceiverFake();
 *   // `${receiver.url}/ops` as the Slack api_url, `${receiver.url}/deadman` as the webhook url;
 *   // receiver.received ({ path, body }[]), await receiver.close()
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  path: string;
  /** The parsed JSON body (Slack payload or Alertmanager's webhook payload). */
  body: unknown;
}

export interface AlertReceiverFake {
  url: string;
  received: ReceivedNotification[];
  /** The notifications that came to one path, in arrival order. */
  at(path: string): unknown[];
  close(): Promise<void>;
}

export async function startAlertReceiverFake(): Promise<AlertReceiverFake> {
  const received: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST') return res.writeHead(405, { 'content-type': 'text/plain' }).end('POST only\n');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload\n');
      }
      received.push({ path: new URL(req.url ?? '/', 'http://fake').pathname, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((n) => n.path === path).map((n) => n.body),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
