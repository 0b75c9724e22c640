import { Module } from '@nestjs/common';
import { ReceiveModule } from '../receive/receive.module';
import { OrderIntakeConsumer } from './order-intake.consumer';

/** im-worker's AMQP order intake (`im.order.received`); never in im-web. */
@Module({
  imports: [ReceiveModule],
  providers: [OrderIntakeConsumer],
})
export class IntakeModule {}
