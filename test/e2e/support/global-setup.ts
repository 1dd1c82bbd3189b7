// The e2e suite drives the built renderer: refuse to run against a missing build.
import { existsSync } from 'node:fs';
import { RENDERER_DIR } from './transport.js';

export default function globalSetup(): void {
  if (!existsSync(`${RENDERER_DIR}/index.html`)) throw new Error('out/renderer is missing: run `npm run build:renderer` (npm test builds it first)');
}
