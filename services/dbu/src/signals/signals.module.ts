import { Module } from '@nestjs/common';
import { DBU_CONFIG } from '../config/dbu-config';
import { ImportsModule } from '../imports/imports.module';
import { SignalSender } from './signal-sender';
import { SignalConsumer } from './signal.consumer';
import { SIGNAL_OPTIONS, signalOptions } from './signal.options';

/** dbu-worker with SIGNAL_URL set: every committed import's event POSTed there, retried until delivered. */
@Module({
  imports: [ImportsModule],
  providers: [
    { provide: SIGNAL_OPTIONS, inject: [DBU_CONFIG], useFactory: signalOptions },
    SignalSender,
    SignalConsumer,
  ],
})
export class SignalsModule {}
