// The operator admin (/admin/). The execution stack serves the built files on its own origin;
// in development vite serves them and proxies the API and the market feed to the stack.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.EXECUTION_API_URL ?? 'http://127.0.0.1:3100';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { input: { admin: fileURLToPath(new URL('./admin/index.html', import.meta.url)) } },
  },
  server: {
    host: '127.0.0.1',
    port: 5174,
    proxy: { '^/(?!admin|assets|src|node_modules|@).*': { target: api, changeOrigin: false, ws: true } },
  },
});
