import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
// URL → path without node:url (the renderer's lint rules keep node:* out of renderer/); a Windows
// drive path loses its leading slash.
const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

/**
 * Fontsource lists a .woff fallback next to every .woff2 subset; every browser the pad runs
 * (Electron's Chromium, Debian chromium) reads woff2, so the fallbacks would only double the bundle.
 */
function woff2Only(): Plugin {
  return {
    name: 'hcp-woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/@fontsource[\\/].+\.css$/.test(id)) return null;
      return { code: code.replace(/,\s*url\([^)]+\.woff\)\s*format\(['"]woff['"]\)/g, ''), map: null };
    },
  };
}

export default defineConfig({
  root: here,
  // Relative asset URLs: the same build loads from app://kiosk/ (Electron) and http://127.0.0.1:<port>/ (browser shell).
  base: './',
  plugins: [woff2Only(), react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    // The pad's screen, and the first-start setup screen (served by the setup server).
    rollupOptions: { input: { main: `${here}index.html`, setup: `${here}setup.html` } },
  },
  server: { host: '127.0.0.1' },
});
