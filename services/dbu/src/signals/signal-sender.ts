import { Inject, Injectable } from '@nestjs/common';
import { catalogueImportedSchema, type CatalogueImported } from '@pjs/contracts';
import { LOGGER, type Logger } from '@pjs/logger';
import { parseData, type Envelope } from '@pjs/messaging';
import { ImportRunRepository } from '../imports/runs/import-run.repository';
import { describeFetchError } from '../shared/fetch-error';
import { SIGNAL_OPTIONS, type SignalOptions } from './signal.options';
import { SIGNAL_HEADERS, signSignal } from './signature';

export class SignalDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalDeliveryError';
  }
}

/**
 * POSTs a committed import's event to SIGNAL_URL, signed with SIGNAL_SECRET. A failure throws,
 * so the consumer retries it with backoff from the durable retry queue; the outcome of each try
 * is recorded on the import run.
 */
@Injectable()
export class SignalSender {
  constructor(
    @Inject(SIGNAL_OPTIONS)
    private readonly settings: Pick<SignalOptions, 'url' | 'secret' | 'timeoutMs' | 'maxAttempts'>,
    private readonly runs: ImportRunRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(envelope: Envelope, attempt: number): Promise<void> {
    const data: CatalogueImported = parseData(envelope, catalogueImportedSchema);
    const body = JSON.stringify(envelope);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'pjs-dbu-signal/1',
      [SIGNAL_HEADERS.event]: envelope.type,
      [SIGNAL_HEADERS.eventId]: envelope.id,
      [SIGNAL_HEADERS.timestamp]: timestamp,
    };
    if (this.settings.secret) headers[SIGNAL_HEADERS.signature] = signSignal(this.settings.secret, timestamp, body);
    try {
      const res = await fetch(this.settings.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300)
        throw new SignalDeliveryError(`SIGNAL_URL answered HTTP ${res.status}`);
    } catch (err) {
      const reason =
        err instanceof SignalDeliveryError ? err.message : `SIGNAL_URL unreachable: ${describeFetchError(err)}`;
      const last = attempt >= this.settings.maxAttempts;
      await this.runs
        .recordSignal(data.import_id, { status: last ? 'failed' : 'retrying', attempt, error: reason })
        .catch((err: unknown) =>
          this.logger.warn('could not record the signal outcome', { err, import_id: data.import_id }),
        );
      this.logger.warn('signal not delivered', { import_id: data.import_id, attempt, reason, final: last });
      throw new SignalDeliveryError(reason);
    }
    await this.runs.recordSignal(data.import_id, { status: 'delivered', attempt });
    this.logger.info('signal delivered', { import_id: data.import_id, attempt });
  }
}
