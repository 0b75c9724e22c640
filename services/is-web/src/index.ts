/** @pjs/is-web's public entry: what other packages (the hostile-input suite) may use. */
export { IS_ACCESS_POLICY } from './access-policy';
export { buildIsWebApp } from './bootstrap';
export { isOpenApiDocument } from './docs/openapi';
export { isConfigSpec, loadIsConfig } from './config/is-config';
export type { IsConfig } from './config/is-config';
