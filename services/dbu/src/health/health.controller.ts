import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@pjs/auth';
import { DataSource, pingDatabase } from '@pjs/database';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';

/** Liveness plus the state of the database and the broker; 503 when the database is down. */
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly db: DataSource,
    private readonly amqp: AmqpConnection,
  ) {}

  @Get(['health', 'health/'])
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const database = await pingDatabase(this.db);
    const broker = isBrokerConnected(this.amqp);
    if (!database) res.status(503);
    return {
      status: database ? (broker ? 'ok' : 'degraded') : 'down',
      service: 'dbu-web',
      database: database ? 'up' : 'down',
      broker: broker ? 'up' : 'down',
    };
  }
}
