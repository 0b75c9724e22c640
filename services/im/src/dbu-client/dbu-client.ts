import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { SettingSource } from '@pjs/config';
import { LOGGER, type Logger } from '@pjs/logger';
import { CircuitBreaker, CircuitOpenError, type BreakerPermit, type BreakerState } from './circuit-breaker';
import { DbuClientError } from './dbu-client.errors';
import { BREAKER_STATE_VALUE, dbuClientMetrics, type DbuFailureKind } from './dbu-client.metrics';
import { isDbuPage, parseDbuProduct, parseFeedPage, type DbuFeedPage, type DbuProduct } from './dbu-product';
import { DbuTokenSource } from './dbu-token-source';

export const DBU_CLIENT_OPTIONS = Symbol('DBU_CLIENT_OPTIONS');

export interface DbuClientOptions {
  /** `DBU_BASE_URL`, e.g. `http://dbu-web:8000`. */
  baseUrl: string;
  username?: string;
  password?: string;
  /** A ready API token; used before logging in with username/password. */
  token?: string;
  /**
   * Where `token` was read from (`settingSource(config, 'DBU_TOKEN')`). A file (`DBU_TOKEN_FILE`,
   * a Vault Agent's `ENV_FILE`) is watched and read again on a 401, so a rotated token is used
   * without a restart.
   */
  tokenFrom?: SettingSource;
  /** How often the token file is checked for changes (default 1 s). */
  tokenWatchIntervalMs?: number;
  /** Per request (connect + answer + body). */
  timeoutMs: number;
  /** Extra tries after a 5xx or network error. */
  retries: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** First retry delay; doubles per try, with jitter (default 200 ms, capped at retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Item numbers per lookup request; DBU's page_size limit is 500. */
  maxBatch?: number;
  /** Longest query string of a lookup request, so long item numbers never exceed URL limits. */
  maxQueryLength?: number;
  now?: () => number;
  random?: () => number;
}

type Operation = 'login' | 'lookup' | 'search' | 'get' | 'changed' | 'feed';

interface Answer {
  status: number;
  text: string;
}

/** DBU's page_size limit and the batch size of lookups. */
export const DBU_MAX_PAGE_SIZE = 500;

/**
 * The HTTP client of DBU's catalogue API. Uses DBU_TOKEN (reloaded from its secret file when the
 * file changes) or logs in with DBU_USERNAME/DBU_PASSWORD; when a token is refused (401) it reads
 * the token file again or logs in again, once, and repeats the request. Times each request out, retries
 * 5xx answers and network errors with exponential backoff and jitter, and short-circuits calls
 * through a circuit breaker while DBU is down. Failures surface as DbuClientError (502/504).
 * Options come from DBU_CLIENT_OPTIONS (DbuClientModule derives them from the settings).
 */
@Injectable()
export class DbuClient implements OnModuleDestroy {
  private readonly base: URL;
  private readonly breaker: CircuitBreaker;
  private readonly errors = dbuClientMetrics.errors();
  private readonly durations = dbuClientMetrics.requests();
  private token?: string;
  private readonly tokenSource: DbuTokenSource;
  private login?: Promise<string>;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly random: () => number;

  constructor(
    @Inject(DBU_CLIENT_OPTIONS) private readonly options: DbuClientOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.tokenSource = new DbuTokenSource(
      options.token,
      options.tokenFrom ?? { kind: 'env' },
      logger,
      options.tokenWatchIntervalMs,
      (token) => {
        this.token = token;
      },
    );
    this.token = this.tokenSource.current;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
    this.random = options.random ?? Math.random;
    const stateGauge = dbuClientMetrics.breakerState();
    stateGauge.set(BREAKER_STATE_VALUE.closed);
    this.breaker = new CircuitBreaker({
      threshold: options.breakerThreshold,
      cooldownMs: options.breakerCooldownMs,
      now: options.now,
      onStateChange: (state, previous) => {
        stateGauge.set(BREAKER_STATE_VALUE[state]);
        this.logger.warn('DBU circuit breaker changed state', { state, previous, base_url: this.base.origin });
      },
    });
  }

  onModuleDestroy(): void {
    this.tokenSource.close();
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  get maxBatch(): number {
    return Math.min(this.options.maxBatch ?? DBU_MAX_PAGE_SIZE, DBU_MAX_PAGE_SIZE);
  }

  /**
   * Products by item number, in as few requests as possible (`?item_no=a,b,...`, at most
   * maxBatch per request). Item numbers DBU does not know are simply absent from the map.
   */
  async lookup(itemNos: Iterable<string>): Promise<Map<string, DbuProduct>> {
    const found = new Map<string, DbuProduct>();
    for (const chunk of this.lookupChunks(itemNos)) {
      const path = `api/products/?item_no=${chunk.map(encodeURIComponent).join(',')}&page_size=${chunk.length}`;
      for await (const page of this.pages('lookup', path)) {
        for (const product of page) found.set(product.item_no, product);
      }
    }
    return found;
  }

  /** Splits item numbers into lookup requests: ≤ maxBatch each and a bounded query string. */
  lookupChunks(itemNos: Iterable<string>): string[][] {
    const maxQuery = this.options.maxQueryLength ?? 6000;
    const chunks: string[][] = [];
    let chunk: string[] = [];
    let length = 0;
    for (const itemNo of new Set(itemNos)) {
      // A comma would split the item number in DBU's list filter; such numbers cannot be looked up.
      if (!itemNo || itemNo.includes(',')) continue;
      const size = encodeURIComponent(itemNo).length + 1;
      if (chunk.length > 0 && (chunk.length >= this.maxBatch || length + size > maxQuery)) {
        chunks.push(chunk);
        chunk = [];
        length = 0;
      }
      chunk.push(itemNo);
      length += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  /** DBU's full-text search (title, item number, EAN): the first `limit` hits and the total count. */
  async search(query: string, limit = 50): Promise<{ count: number; results: DbuProduct[] }> {
    const size = Math.max(1, Math.min(limit, DBU_MAX_PAGE_SIZE));
    const body = await this.call('search', (permit) =>
      this.getJson('search', `api/products/?search=${encodeURIComponent(query)}&page_size=${size}`, permit),
    );
    if (!isDbuPage(body.json)) throw this.badResponse('search', 'the answer is not a paginated list');
    const results = this.products(body.json.results);
    return { count: typeof body.json.count === 'number' ? body.json.count : results.length, results };
  }

  /** One product, or null when DBU has none with this item number. */
  async getProduct(itemNo: string): Promise<DbuProduct | null> {
    const answer = await this.call('get', (permit) =>
      this.getJson('get', `api/products/${encodeURIComponent(itemNo)}/`, permit, [404]),
    );
    if (answer.status === 404) return null;
    const product = parseDbuProduct(answer.json);
    if (!product) throw this.badResponse('get', 'the product has no item_no or title');
    return product;
  }

  /**
   * The products changed by an import, page by page, from the `changed_items_url` of a
   * `dbu.catalogue.imported` event. Only the path and query of that URL are used: our token is
   * never sent to another host than DBU_BASE_URL.
   */
  changedProducts(changedItemsUrl: string): AsyncGenerator<DbuProduct[]> {
    const url = new URL(changedItemsUrl, this.base);
    if (!url.searchParams.has('page_size')) url.searchParams.set('page_size', String(DBU_MAX_PAGE_SIZE));
    return this.pages('changed', this.relativePath(url));
  }

  /**
   * One page of DBU's changes feed (`GET /api/products/changes/`) after `after` (undefined: from
   * the oldest change DBU keeps); `expired` when DBU has removed the changes after that cursor.
   */
  async feed(after: string | undefined, limit: number): Promise<DbuFeedPage | 'expired'> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (after !== undefined) query.set('after', after);
    const answer = await this.call('feed', (permit) =>
      this.getJson('feed', `api/products/changes/?${query.toString()}`, permit, [410]),
    );
    if (answer.status === 410) return 'expired';
    const page = parseFeedPage(answer.json);
    if (!page) throw this.badResponse('feed', 'the answer is not a changes page');
    return page;
  }

  /** Follows DRF's `next` links; each page is its own request (breaker and retries apply per page). */
  private async *pages(operation: Operation, firstPath: string): AsyncGenerator<DbuProduct[]> {
    const seen = new Set<string>();
    let path: string | null = firstPath;
    while (path !== null) {
      if (seen.has(path)) throw this.badResponse(operation, 'pagination links loop');
      seen.add(path);
      const current: string = path;
      const answer = await this.call(operation, (permit) => this.getJson(operation, current, permit));
      if (!isDbuPage(answer.json)) throw this.badResponse(operation, 'the answer is not a paginated list');
      yield this.products(answer.json.results);
      path = answer.json.next ? this.relativePath(new URL(answer.json.next, this.base)) : null;
    }
  }

  private products(results: unknown[]): DbuProduct[] {
    const products: DbuProduct[] = [];
    for (const raw of results) {
      const product = parseDbuProduct(raw);
      if (product) products.push(product);
      else this.logger.warn('DBU returned a product without item_no or title; skipped');
    }
    return products;
  }

  /**
   * A URL of DBU's as a path relative to DBU_BASE_URL (whatever host DBU believes it has). Leading
   * slashes are dropped: `http://dbu///evil.example/x` must not become the protocol-relative
   * `//evil.example/x`.
   */
  private relativePath(url: URL): string {
    const prefix = this.base.pathname;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${path.replace(/^\/+/, '')}${url.search}`;
  }

  /** One logical call through the breaker: open → fail fast; unavailable/timeout count as failures. */
  private async call<T>(operation: Operation, run: (permit: BreakerPermit) => Promise<T>): Promise<T> {
    let permit: BreakerPermit;
    try {
      permit = this.breaker.acquire();
    } catch (err) {
      if (!(err instanceof CircuitOpenError)) throw err;
      this.count('circuit_open');
      throw new DbuClientError('circuit_open', `DBU is unavailable (${this.base.origin}): ${err.message}`);
    }
    try {
      const result = await run(permit);
      this.breaker.success(permit);
      return result;
    } catch (err) {
      if (err instanceof DbuClientError && (err.kind === 'unavailable' || err.kind === 'timeout')) {
        this.breaker.failure(permit);
      } else {
        // DBU answered (e.g. refused our credentials): it is up, whatever else went wrong.
        this.breaker.success(permit);
      }
      this.logger.warn('DBU call failed', { operation, err });
      throw err;
    }
  }

  /** GET with our token; on 401 takes the token file's current token or logs in again, once, and repeats. */
  private async getJson(
    operation: Operation,
    path: string,
    permit: BreakerPermit,
    passStatuses: readonly number[] = [],
  ): Promise<{ status: number; json: unknown }> {
    let token = await this.currentToken(permit);
    let answer = await this.send(operation, 'GET', path, token, undefined, permit);
    if (answer.status === 401) {
      const renewed = await this.renewToken(token, permit);
      if (renewed !== undefined) {
        token = renewed;
        answer = await this.send(operation, 'GET', path, token, undefined, permit);
      }
    }
    if (answer.status === 401 || answer.status === 403) {
      this.count('auth');
      throw new DbuClientError(
        'auth_failed',
        `DBU refused our credentials (HTTP ${answer.status}); check DBU_TOKEN or DBU_USERNAME/DBU_PASSWORD`,
      );
    }
    if (passStatuses.includes(answer.status)) return { status: answer.status, json: undefined };
    if (answer.status < 200 || answer.status >= 300) {
      this.count(answer.status >= 400 ? 'http_4xx' : 'bad_response');
      throw new DbuClientError('bad_response', `DBU answered HTTP ${answer.status} to ${operation}`);
    }
    return { status: answer.status, json: this.parseJson(operation, answer.text) };
  }

  /**
   * After DBU refused `refused`: the token file's token if it now holds another one (a rotation),
   * else a fresh login when credentials are configured; undefined when there is nothing to retry with.
   */
  private async renewToken(refused: string, permit: BreakerPermit): Promise<string | undefined> {
    const fromSource = await this.tokenSource.reload();
    if (fromSource && fromSource !== refused) {
      this.logger.info('DBU refused our token; using the one now in its secret file');
      this.token = fromSource;
      return fromSource;
    }
    if (!this.canLogin) return undefined;
    this.logger.info('DBU refused our token; logging in again');
    if (this.token === refused) this.token = undefined;
    return this.currentToken(permit);
  }

  private get canLogin(): boolean {
    return Boolean(this.options.username && this.options.password);
  }

  private async currentToken(permit: BreakerPermit): Promise<string> {
    if (this.token) return this.token;
    if (!this.canLogin) {
      this.count('auth');
      throw new DbuClientError(
        'auth_failed',
        'no DBU credentials configured: set DBU_TOKEN or DBU_USERNAME and DBU_PASSWORD',
      );
    }
    // One login at a time, however many requests wait for a token.
    this.login ??= this.obtainToken(permit).finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async obtainToken(permit: BreakerPermit): Promise<string> {
    const body = JSON.stringify({ username: this.options.username, password: this.options.password });
    const answer = await this.send('login', 'POST', 'api-token-auth/', undefined, body, permit);
    if (answer.status < 200 || answer.status >= 300) {
      this.count('auth');
      throw new DbuClientError(
        'auth_failed',
        `DBU refused the login of DBU_USERNAME (HTTP ${answer.status}); check DBU_USERNAME/DBU_PASSWORD`,
      );
    }
    const json = this.parseJson('login', answer.text) as { token?: unknown } | null;
    if (!json || typeof json.token !== 'string' || !json.token) {
      throw this.badResponse('login', 'the login answer has no token');
    }
    this.token = json.token;
    this.logger.info('logged in to DBU', { base_url: this.base.origin });
    return json.token;
  }

  /**
   * One HTTP exchange with retries: 5xx answers and network errors are tried again after
   * `retryBaseMs * 2^(n-1)` (±50 % jitter, capped); a timeout is not (DBU is slow, not gone: more
   * requests would not help), and neither is anything during a half-open trial.
   */
  private async send(
    operation: Operation,
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
    body: string | undefined,
    permit: BreakerPermit,
  ): Promise<Answer> {
    const url = new URL(path, this.base);
    // Our token goes to DBU_BASE_URL and nowhere else, whatever a link or an event named.
    if (url.origin !== this.base.origin) throw this.badResponse(operation, 'a link to another host than DBU_BASE_URL');
    const tries = permit === 'trial' ? 1 : 1 + Math.max(0, this.options.retries);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Token ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      const end = this.durations.startTimer({ operation });
      let failure: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(url, {
          method,
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        const text = await res.text();
        if (res.status < 500) {
          end({ outcome: res.status < 400 ? 'ok' : `http_${res.status}` });
          return { status: res.status, text };
        }
        end({ outcome: 'http_5xx' });
        this.count('http_5xx');
        failure = `HTTP ${res.status}`;
        retryAfterMs = retryAfter(res.headers.get('retry-after'));
      } catch (err) {
        if (isTimeout(err)) {
          end({ outcome: 'timeout' });
          this.count('timeout');
          throw new DbuClientError(
            'timeout',
            `DBU did not answer ${method} ${url.pathname} within ${this.options.timeoutMs} ms`,
          );
        }
        end({ outcome: 'network' });
        this.count('network');
        failure = networkReason(err);
      }
      if (attempt >= tries) {
        throw new DbuClientError(
          'unavailable',
          `DBU is unavailable at ${this.base.origin}: ${failure} on ${method} ${url.pathname} (${attempt} ${attempt === 1 ? 'try' : 'tries'})`,
        );
      }
      const wait = this.backoff(attempt, retryAfterMs);
      this.logger.debug('DBU request failed; retrying', { operation, attempt, reason: failure, retry_in_ms: wait });
      await delay(wait);
    }
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const exponential = Math.min(this.retryBaseMs * 2 ** (attempt - 1), this.retryMaxMs);
    const jittered = Math.round(exponential * (0.5 + this.random()));
    return Math.min(Math.max(jittered, retryAfterMs ?? 0), this.retryMaxMs);
  }

  private parseJson(operation: Operation, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.badResponse(operation, 'the answer is not JSON');
    }
  }

  private badResponse(operation: Operation, detail: string): DbuClientError {
    this.count('bad_response');
    return new DbuClientError('bad_response', `DBU gave an unusable answer to ${operation}: ${detail}`);
  }

  private count(kind: DbuFailureKind): void {
    this.errors.inc({ kind });
  }
}

/** Duck-typed: the DOMException of AbortSignal.timeout() may come from another realm (jest). */
function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** `ECONNREFUSED` and friends from undici's `fetch failed` error. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Retry-After in seconds (DBU's throttling/maintenance answers). */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
