// Requests that fetch() cannot make: a chosen or missing Host header, raw bytes, chunked bodies.
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** Reads a whole answer: its text, and its JSON when it is JSON. */
export function readReply(res: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
    });
    res.on('error', reject);
  });
}

export interface RawRequest {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as-is; with `chunked`, in pieces without a Content-Length. */
  body?: Buffer | string;
  chunked?: boolean;
  /** false: send no Host header at all. */
  setHost?: boolean;
}

export function rawRequest(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
    const headers: Record<string, string> = { ...options.headers };
    if (body && !options.chunked) headers['content-length'] = String(body.length);
    let answered = false;
    const req = request(
      { host: '127.0.0.1', port: options.port, method: options.method, path: options.path, headers, setHost: options.setHost ?? true, agent: false },
      (res) => {
        answered = true;
        readReply(res).then(resolve, reject);
      },
    );
    // The server may answer (413) and close before the whole body is written.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body && options.chunked) {
      const piece = 64 * 1024;
      for (let i = 0; i < body.length; i += piece) req.write(body.subarray(i, i + piece));
    } else if (body) {
      req.write(body);
    }
    req.end();
  });
}

/** Sends exactly these bytes on a fresh connection and returns the status and body of the answer. */
export function rawSocket(port: number, bytes: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4) });
    });
    socket.end(bytes);
  });
}
