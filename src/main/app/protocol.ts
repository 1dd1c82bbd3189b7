// Serves the built renderer from app://keyden/ with the CSP header (never file://), so the page
// has a stable origin for the IPC sender check and cannot read other local files.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { join, normalize, relative, isAbsolute } from 'node:path';
import { securityHeaders } from './csp.js';
import { APP_HOST, APP_SCHEME } from './window.js';

/** Must run before `app.ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Maps a request URL to a file under rendererDir, or null if it escapes it or names another host. */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  const url = new URL(requestUrl);
  if (url.host !== APP_HOST) return null;
  const pathname = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = normalize(join(rendererDir, pathname));
  const rel = relative(rendererDir, file);
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return file;
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    for (const [k, v] of Object.entries(securityHeaders())) headers.set(k, v);
    return new Response(response.body, { status: response.status, headers });
  });
}
