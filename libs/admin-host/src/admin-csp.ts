/**
 * The Content-Security-Policy of the admin page, the same at the app and at nginx
 * (infrastructure-stack/nginx/snippets/admin-csp.conf must carry this exact value; a test compares).
 *
 * No 'unsafe-inline' anywhere. Material UI styles through Emotion, which in a production build
 * ("speedy" mode) appends empty `<style>` elements and fills them with CSSOM `insertRule`, which CSP
 * does not govern; an empty element must still be allowed to become a style sheet, so the one
 * hash allowed is that of the empty string. Inline `style` attributes written by React go
 * through CSSOM too. Everything else comes from the app's own origin.
 */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${EMPTY_STYLE_HASH}`,
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
