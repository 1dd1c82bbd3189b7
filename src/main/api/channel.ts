// The owner's private channel for the CLI (DESIGN §4 "Hardening", docs/api.md "The CLI's
// channel"): a Unix domain socket `<home>/keyden.sock` (0600 in the 0700 home), or on Windows a
// named pipe named after the home, and the `proof` key that `api.json` publishes for TCP clients.
// Node built-ins only: the CLI's fast path imports the names and the proof check.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const SOCKET_NAME = 'keyden.sock';

/**
 * The longest Unix socket path every platform holds (macOS' sun_path is 104 bytes with its NUL).
 * A longer one is silently cut short by the OS calls, to a path that may be someone else's.
 */
export const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Where the owner of `home` listens for the CLI: `<home>/keyden.sock`, or a per-home pipe on
 * Windows; null when the home's path is too long for a socket (then the CLI uses TCP and the proof).
 */
export function ownerSocketPath(home: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'win32') {
    const socketPath = path.join(home, SOCKET_NAME);
    return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES ? socketPath : null;
  }
  // Pipes live in one flat namespace, not in the home: the name is derived from the home's path.
  const id = createHash('sha256').update(path.win32.resolve(home).toLowerCase()).digest('hex').slice(0, 32);
  return `\\\\.\\pipe\\keyden-${id}`;
}

/** 32 random bytes, new at each start of the API; api.json carries them as 64 hex characters. */
export function newProofKey(): Buffer {
  return randomBytes(32);
}

/**
 * The endpoint a proof is bound to: the address and port the TCP connection reached, as the
 * owner sees its local end and the client its remote end (`127.0.0.1:17321`, `[::1]:17321`; an
 * IPv4-mapped address as plain IPv4), or `socket:<path>` for the socket or pipe.
 */
export function tcpEndpoint(address: string, port: number): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return `${plain.includes(':') ? `[${plain.toLowerCase()}]` : plain}:${port}`;
}

export const socketEndpoint = (socketPath: string): string => `socket:${socketPath}`;

/**
 * The answer to GET /api/auth/proof: HMAC-SHA256 under the proof key of the nonce's bytes, a line
 * feed and the endpoint (UTF-8), as hex. The endpoint makes a relay useless: a listener that
 * forwards the nonce to the real owner gets an answer for the owner's endpoint, not its own.
 */
export function proofMac(key: Buffer, nonceHex: string, endpoint: string): string {
  return createHmac('sha256', key).update(Buffer.from(nonceHex, 'hex')).update(`\n${endpoint}`, 'utf8').digest('hex');
}

/** Whether `mac` is the right answer for `nonceHex` at `endpoint` under the proof key `keyHex` (constant time). */
export function proofMatches(keyHex: string, nonceHex: string, endpoint: string, mac: unknown): boolean {
  if (!/^[0-9a-f]{64}$/i.test(keyHex) || typeof mac !== 'string' || !/^[0-9a-f]{64}$/i.test(mac)) return false;
  const expected = Buffer.from(proofMac(Buffer.from(keyHex, 'hex'), nonceHex, endpoint), 'hex');
  return timingSafeEqual(expected, Buffer.from(mac, 'hex'));
}

/** Something already answers on the socket: another owner of this home. */
export class SocketInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(readonly socketPath: string) {
    super(`another Keyden owner is listening on ${socketPath}`);
  }
}

/**
 * Makes `socketPath` free for a new listener: a socket file that no owner answers on (one that
 * died without cleaning up) is removed; a live one, or anything that is not a socket, is left
 * alone and refused. Windows pipes vanish with their process: nothing to clean.
 */
export async function clearStaleSocket(socketPath: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return;
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!stat.isSocket()) throw new Error(`${socketPath} exists and is not a socket: move it away`);
  if (await answers(socketPath)) throw new SocketInUseError(socketPath);
  fs.rmSync(socketPath, { force: true });
}

/** Whether a process accepts connections on the socket (bounded: one second at most). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path: socketPath });
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(alive);
    };
    // A listener too busy to accept within a second is still a listener: keep its socket.
    const timer = setTimeout(() => done(true), 1000);
    probe.once('connect', () => done(true));
    probe.once('error', (e: NodeJS.ErrnoException) => done(e.code !== 'ECONNREFUSED' && e.code !== 'ENOENT'));
  });
}
