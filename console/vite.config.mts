import { defineConfig } from 'vite';

/** The API a development server (`npm run console:dev`) forwards to. */
const API = 'http://127.0.0.1:3000';

/**
 * The operator console, built by `npm run build` (`vite build console`) into dist/console, which the API serves at
 * /console. Everything it needs is bundled: no CDN, no web font, no request anywhere but the API's own origin.
 */
export default defineConfig({
  base: '/console/',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    // Browsers that run ES2022 have modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/users', '/dead-letters', '/stats', '/webhooks'].map((path) => [path, API])),
  },
});
