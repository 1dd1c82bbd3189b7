// electron-vite: main (the app shell + core, ESM), preload (CJS: a sandboxed preload must be),
// renderer (React). See TOOLCHAIN.md for why the noble packages are bundled into main. Every
// other dependency stays external: @node-rs/argon2 (N-API) is loaded from node_modules at run time.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: ['@noble/hashes', '@noble/ciphers'] },
      rolldownOptions: { input: { index: resolve('src/main/app/index.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      outDir: resolve('out/renderer'),
      minify: true,
      chunkSizeWarningLimit: 1500, // the zxcvbn dictionaries: a lazy chunk, loaded on the password screens only
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
