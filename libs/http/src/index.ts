export {
  ApiException,
  ConflictApiException,
  FieldValidationException,
  NotFoundApiException,
  RateLimitedException,
} from './api.exception';
export type { ErrorBody, FieldError } from './api.exception';
export { AllExceptionsFilter } from './all-exceptions.filter';
export { errorBodyOf, validationFailed } from './error-body';
export { createWebApp } from './create-web-app';
export type { WebApp, WebAppOptions } from './create-web-app';
export { HEALTH_OPTIONS, HealthController } from './health.controller';
export type { HealthOptions } from './health.controller';
export { DrainModule, DrainState, serveUntilStopped } from './drain';
export type { ServeOptions } from './drain';
export { sendError } from './pipeline/send-error';
export type { RequestGate } from './pipeline/request-gate';
// access
export { AccessControl, ACCESS_OPTIONS } from './access/access-control';
export type { AccessOptions, Refusal, ResolvedRule } from './access/access-control';
export { AccessModule } from './access/access.module';
export { accessTableMarkers, renderAccessTable, replaceAccessTable } from './access/access-table';
export {
  ANY_CALLER,
  accountScopes,
  authenticated,
  defineAccessPolicy,
  probeRoute,
  publicRoute,
  routeKey,
  scoped,
} from './access/access-policy';
export type { AccessPolicy, Allowlist, RouteRule } from './access/access-policy';
export { IpAllowlist } from './access/ip-allowlist';
export type { EmptyAllowlist } from './access/ip-allowlist';
export { CREDENTIAL_VERIFIER } from './access/principal';
export type {
  CredentialRefusal,
  CredentialRequest,
  CredentialVerdict,
  CredentialVerifier,
  Principal,
} from './access/principal';
export { CurrentPrincipal } from './access/current-principal.decorator';
// schemas
export { BooleanText, Checked, Int, Nullable, Obj, Text, Type } from './schema/types';
export type { Static, TObject, TProperties, TSchema } from './schema/types';
export { defineCheck, isStorableText } from './schema/checks';
export type { ValueCheck } from './schema/checks';
export { compileBodySchema } from './schema/schema-compiler';
export { fieldErrors } from './schema/field-errors';
export { ErrorSchema } from './schema/error.schema';
export { Endpoint } from './endpoint.decorator';
export type { EndpointOptions } from './endpoint.decorator';
export { PageLinkFields, PageSchema, listLink, pageNumberLinks, publicBaseUrl } from './schema/page.schema';
export type { Page, PageLinks } from './schema/page.schema';
export { API_DOCS_PATH, buildApiDocument, createApiDocument, setupApiDocs, withAccessScopes } from './api-docs';
export type { ApiDocsOptions } from './api-docs';
export type { OpenAPIObject } from '@nestjs/swagger';
