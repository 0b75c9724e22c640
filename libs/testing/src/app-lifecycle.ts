import type { INestApplicationContext } from '@nestjs/common';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { waitFor } from './wait-for';

/**
 * Waits until an app's broker connection is up (an app connects in the background, and closing
 * before that would leave the late connection open after the test) and answers how to close the
 * app: the app, then its own broker connection — golevelup keeps connections in one process-wide
 * map, so with several apps in a test process one app's shutdown may close another's.
 */
export async function brokerReadyApp(app: INestApplicationContext): Promise<{ close(): Promise<void> }> {
  const amqp = app.get(AmqpConnection);
  await waitFor(() => isBrokerConnected(amqp), 10_000, 20);
  return {
    close: async () => {
      await app.close();
      await amqp.close().catch(() => undefined);
    },
  };
}
