// Argon2id key stretching (DESIGN §3), run synchronously in a worker thread so that the event
// loop of the app or the API never blocks while a vault unlocks.
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

const argon2ModuleUrl = pathToFileURL(createRequire(import.meta.url).resolve('@noble/hashes/argon2.js')).href;

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

/** KEK = Argon2id(password, salt, t, m, p, dkLen = 32), computed off the main thread. */
export function deriveKek(password: string, params: KdfParams): Promise<Uint8Array> {
  const pw = passwordBytes(password);
  const salt = new Uint8Array(Buffer.from(params.salt, 'base64'));
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
