import type { LoggerService } from '@nestjs/common';
import { AmqpConnection, type RabbitMQConfig } from '@golevelup/nestjs-rabbitmq';
import { DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, RETRY_EXCHANGE } from './topology';

export interface BrokerSettings {
  url: string;
  prefetch?: number;
  /** Wait for the broker at start-up (workers) or connect in the background (web apps). */
  waitForConnection?: boolean;
  connectTimeoutMs?: number;
  /** Where golevelup logs (connection state); Nest's logger when omitted. */
  logger?: LoggerService;
}

/** The golevelup configuration shared by the Nest module and plain scripts. */
export function rabbitConfig(settings: BrokerSettings): RabbitMQConfig {
  return {
    uri: settings.url,
    exchanges: [
      { name: EVENTS_EXCHANGE, type: 'topic', options: { durable: true } },
      { name: RETRY_EXCHANGE, type: 'direct', options: { durable: true } },
      { name: DEAD_LETTER_EXCHANGE, type: 'direct', options: { durable: true } },
    ],
    prefetchCount: settings.prefetch ?? 10,
    connectionInitOptions: {
      wait: settings.waitForConnection ?? true,
      timeout: settings.connectTimeoutMs ?? 10_000,
      reject: true,
      skipConnectionFailedLogging: true,
    },
    connectionManagerOptions: { heartbeatIntervalInSeconds: 15, reconnectTimeInSeconds: 2 },
    registerHandlers: false,
    ...(settings.logger ? { logger: settings.logger } : {}),
    enableControllerDiscovery: false,
  };
}

/** A connected AmqpConnection outside Nest (CLI commands, tests). */
export async function connectBroker(settings: BrokerSettings): Promise<AmqpConnection> {
  const connection = new AmqpConnection(rabbitConfig(settings));
  await connection.init();
  return connection;
}

export function isBrokerConnected(connection: AmqpConnection): boolean {
  return connection.managedConnection.isConnected();
}
