import { Module, type DynamicModule } from '@nestjs/common';
import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import { rabbitConfig, type BrokerSettings } from './connection';
import { EnvelopePublisher } from './publisher';

/** The broker connection (golevelup) and the envelope publisher, for web and worker apps. */
@Module({})
export class MessagingModule {
  static forRoot(settings: BrokerSettings): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [RabbitMQModule.forRoot(rabbitConfig(settings))],
      providers: [
        {
          provide: EnvelopePublisher,
          inject: [AmqpConnection],
          useFactory: (c: AmqpConnection) => new EnvelopePublisher(c),
        },
      ],
      exports: [RabbitMQModule, EnvelopePublisher],
    };
  }
}
