// The e2e suite drives the built renderer: refuse to run against a missing build. Any Keyden file
// a test does not place itself goes to a throw-away home, never the developer's real one.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RENDERER_DIR } from './transport.js';

export default function globalSetup(): () => void {
  if (!existsSync(`${RENDERER_DIR}/index.html`)) throw new Error('out/renderer is missing: run `npm run build:renderer` (npm test builds it first)');
  // Set here, before the workers start: they inherit it.
  const home = mkdtempSync(join(tmpdir(), 'keyden-e2e-home-'));
  process.env.KEYDEN_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
}
