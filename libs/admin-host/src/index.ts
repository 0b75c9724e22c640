export { ADMIN_CSP, EMPTY_STYLE_HASH } from './admin-csp';
export { ADMIN_UI_ROUTES, adminDistDir, serveAdmin } from './admin-host';
export type { AdminHostOptions, AdminService } from './admin-host';
