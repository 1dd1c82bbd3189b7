// Argon2id key stretching (DESIGN §3), never on the event loop of the app or the API: native
// `@node-rs/argon2` on libuv's thread pool (~55 ms at the defaults here), or, where its prebuilt
// binary does not load, noble's Argon2id in a worker thread (~1.1 s). Both give the same bytes.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface KdfParams {
  alg: 'argon2id';
  version: 19;
  /** Memory in KiB. */
  m: number;
  t: number;
  p: number;
  /** Standard padded base64 of 16 random bytes. */
  salt: string;
}

/** The defaults are also the minimum: a vault below them is upgraded at unlock. */
export const DEFAULT_KDF = { m: 65536, t: 3, p: 1 } as const;

export function newKdfParams(cost: { m: number; t: number; p?: number } = DEFAULT_KDF): KdfParams {
  return { alg: 'argon2id', version: 19, m: cost.m, t: cost.t, p: cost.p ?? 1, salt: randomBytes(16).toString('base64') };
}

export function isBelowDefault(params: KdfParams): boolean {
  return params.m < DEFAULT_KDF.m || params.t < DEFAULT_KDF.t;
}

/** The password's bytes as DESIGN §3 defines them: UTF-8 of its NFC form. */
export function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize('NFC'));
}

/** Which implementation derives keys: `native` (@node-rs/argon2) or its fallback `noble`. */
export type KdfBackend = 'native' | 'noble';

/** The part of @node-rs/argon2 used here (its typings declare these enums `const`). */
interface NativeArgon2 {
  hashRaw(password: Uint8Array, options: { algorithm: number; version: number; memoryCost: number; timeCost: number; parallelism: number; outputLen: number; salt: Uint8Array }): Promise<Buffer>;
}
const ARGON2ID = 2; // Algorithm.Argon2id
const VERSION_0X13 = 1; // Version.V0x13

const load = createRequire(import.meta.url);
let native: NativeArgon2 | null | undefined;
let forced: KdfBackend | null = null;

function nativeArgon2(): NativeArgon2 | null {
  if (native === undefined) {
    try {
      native = load('@node-rs/argon2') as NativeArgon2;
    } catch {
      native = null; // no prebuilt binary for this platform (or it failed to load): noble it is
    }
  }
  return native;
}

/**
 * Tests and the benchmark only: force one implementation (`null` restores the automatic choice).
 * A code option, never a flag, environment variable or setting.
 */
export function forceKdfBackend(backend: KdfBackend | null): void {
  forced = backend;
}

/** The implementation the next derivation will use. */
export function kdfBackend(): KdfBackend {
  if (forced) return forced;
  return nativeArgon2() ? 'native' : 'noble';
}

/** KEK = Argon2id(password, salt, t, m, p, dkLen = 32), version 0x13, computed off the main thread. */
export async function deriveKek(password: string, params: KdfParams, options: { backend?: KdfBackend } = {}): Promise<Uint8Array> {
  const backend = options.backend ?? kdfBackend();
  const argon2 = backend === 'native' ? nativeArgon2() : null;
  if (backend === 'native' && !argon2) throw new Error('key derivation failed: the native Argon2 module does not load here');
  const pw = passwordBytes(password);
  const salt = new Uint8Array(Buffer.from(params.salt, 'base64'));
  if (!argon2) return deriveInWorker(pw, salt, params);
  try {
    const raw = await argon2.hashRaw(pw, {
      algorithm: ARGON2ID,
      version: VERSION_0X13,
      memoryCost: params.m,
      timeCost: params.t,
      parallelism: params.p,
      outputLen: 32,
      salt,
    });
    const kek = new Uint8Array(raw);
    raw.fill(0);
    return kek;
  } finally {
    pw.fill(0);
  }
}

const argon2ModuleUrl = pathToFileURL(load.resolve('@noble/hashes/argon2.js')).href;

// Evaluated as a CommonJS worker script so it needs no file of its own beside the bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then(({ argon2id }) => {
  const { password, salt, m, t, p } = workerData;
  const key = argon2id(password, salt, { m, t, p, dkLen: 32, version: 0x13 });
  password.fill(0);
  parentPort.postMessage(key, [key.buffer]);
}).catch((e) => parentPort.postMessage({ error: String(e && e.message || e) }));
`;

/** The fallback: noble's Argon2id, synchronous in a worker thread of its own. */
function deriveInWorker(pw: Uint8Array, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { moduleUrl: argon2ModuleUrl, password: pw, salt, m: params.m, t: params.t, p: params.p },
      // The worker needs the Argon2 memory and little else.
      resourceLimits: { maxOldGenerationSizeMb: 64 + Math.ceil(params.m / 1024) },
    });
    pw.fill(0);
    worker.once('message', (msg: Uint8Array | { error: string }) => {
      void worker.terminate();
      if (msg instanceof Uint8Array) resolve(msg);
      else reject(new Error(`key derivation failed: ${msg.error}`));
    });
    worker.once('error', (e) => reject(e));
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`key derivation worker exited with code ${code}`));
    });
  });
}
