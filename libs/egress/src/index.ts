export { isPublicAddress } from './address-policy';
export { EgressRefused, createSafeFetch } from './safe-fetch';
export type { EgressReason, SafeFetch, SafeFetchOptions, SafeFetchResponse } from './safe-fetch';
