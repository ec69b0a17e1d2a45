// Two single-page apps from one workspace: the investor SPA (/app/) and the compliance console
// (/console/), sharing bundles under /assets/. The customer stack serves the built files on its
// own origin; in development vite serves them and proxies everything else to the stack.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.CUSTOMER_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: {
        app: fileURLToPath(new URL('./app/index.html', import.meta.url)),
        console: fileURLToPath(new URL('./console/index.html', import.meta.url)),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '^/(?!app|console|assets|src|node_modules|@).*': { target: api, changeOrigin: false, ws: true } },
  },
});
