import type { Provider } from '@nestjs/common';
import { createSafeFetch, type SafeFetch } from '@pjs/egress';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';

/** Injection token of the fetch for URLs that come from outside (photo URLs, the category feed). */
export const SAFE_FETCH = Symbol('SAFE_FETCH');

/** Redirects followed at most; each target is checked like the first URL. */
export const MAX_REDIRECTS = 3;

/**
 * Public addresses only (also after DNS and each redirect, connecting to the address checked),
 * except the hosts of OUTBOUND_ALLOWED_HOSTS (empty unless a test's fakes listen on loopback).
 */
export const safeFetchProvider: Provider<SafeFetch> = {
  provide: SAFE_FETCH,
  inject: [DBU_CONFIG],
  useFactory: (config: DbuConfig) =>
    createSafeFetch({ allowedHosts: config.OUTBOUND_ALLOWED_HOSTS, maxRedirects: MAX_REDIRECTS }),
};
