import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Static files for /admin/ (served by libs/admin-host). No inline scripts or styles in the output:
// the page runs under the CSP of libs/admin-host/src/admin-csp.ts.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
});
