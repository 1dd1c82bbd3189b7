// The CSP header the app:// protocol sends with every renderer file.
import { describe, expect, it, vi } from 'vitest';

const handlers = new Map<string, (request: { url: string }) => Promise<Response>>();
vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => handlers.set(scheme, handler),
    registerSchemesAsPrivileged: () => {},
  },
  net: { fetch: async () => new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } }) },
  BrowserWindow: class {},
  nativeTheme: {},
}));

const { CONTENT_SECURITY_POLICY } = await import('../../src/main/app/csp.js');
const { resolveRendererFile, serveRenderer } = await import('../../src/main/app/protocol.js');

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('the content security policy', () => {
  it('allows only the app’s own scripts: no eval, no inline script, no remote origin', () => {
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });

  it('is sent as a header with every file the app:// protocol serves', async () => {
    serveRenderer('/app/out/renderer');
    const response = await handlers.get('app')!({ url: 'app://keyden/index.html' });
    expect(response.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('serves nothing outside the renderer folder or for another host', async () => {
    for (const attack of ['app://keyden/../../etc/passwd', 'app://keyden/%2e%2e/%2e%2e/etc/passwd', 'app://keyden/%2F..%2F..%2Fetc%2Fpasswd', 'app://keyden/..%5C..%5Cetc']) {
      const file = resolveRendererFile('/app/out/renderer', attack);
      expect(file === null || file.startsWith('/app/out/renderer/')).toBe(true);
    }
    expect(resolveRendererFile('/app/out/renderer', 'app://other/index.html')).toBeNull();
    expect((await handlers.get('app')!({ url: 'app://other/index.html' })).status).toBe(404);
  });
});
