import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console, served by the API server itself from web/dist (src/http/console-assets.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under /assets are cached for good; index.html is revalidated.
    assetsDir: 'assets',
    sourcemap: false,
  },
});
