/**
 * The Argon2i key derivation behind `$NACL` key files (wire-protocol §9.4): libsodium's
 * crypto_pwhash with ARGON2I13, a fixed salt, opslimit 8 and 512 MiB.
 *
 * One derivation takes seconds of CPU and 512 MiB of memory, so by default it runs in a worker
 * thread: the event loop (the Electron main process, the daemon's API, a serving axon) keeps
 * running, and the 512 MiB of WebAssembly memory is returned when the worker exits instead of
 * staying with the process for good. If a worker cannot start, it runs on the calling thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import sodium from 'libsodium-wrappers-sumo';

export interface Argon2iParams {
  readonly salt: Uint8Array;
  readonly opslimit: number;
  /** Bytes. */
  readonly memlimit: number;
  /** Key length in bytes. */
  readonly outlen: number;
}

/** The salt every btcli wallet uses, so equal passwords give equal keys (wire-protocol §9.4). */
export const NACL_SALT = Uint8Array.from([
  0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
]);

/** crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE and _MEMLIMIT_SENSITIVE (wire-protocol §9.4). */
export const NACL_ARGON2I: Argon2iParams = { salt: NACL_SALT, opslimit: 8, memlimit: 536_870_912, outlen: 32 };

/**
 * Password → 32-byte secretbox key. Injectable so that tests can reuse a key they derived once;
 * the application always uses {@link naclKdf}.
 */
export type PasswordKdf = (password: string) => Promise<Uint8Array>;

/** The real `$NACL` key derivation. */
export const naclKdf: PasswordKdf = (password) => argon2i(password, NACL_ARGON2I);

export type Argon2iThread = 'worker' | 'inline';

export async function argon2i(
  password: string,
  params: Argon2iParams,
  thread: Argon2iThread = 'worker',
): Promise<Uint8Array> {
  if (thread === 'worker') {
    const key = await argon2iInWorker(password, params).catch(() => undefined);
    if (key) return key;
  }
  return argon2iInline(password, params);
}

async function argon2iInline(password: string, params: Argon2iParams): Promise<Uint8Array> {
  await sodium.ready;
  const passwordBytes = new TextEncoder().encode(password);
  try {
    return sodium.crypto_pwhash(
      params.outlen,
      passwordBytes,
      params.salt,
      params.opslimit,
      params.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2I13,
    );
  } finally {
    passwordBytes.fill(0);
  }
}

// A CommonJS script, so that it needs no file of its own beside the bundle; it loads libsodium
// from the absolute path resolved below.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
sodium.ready
  .then(() => {
    const key = sodium.crypto_pwhash(workerData.outlen, workerData.password, workerData.salt,
      workerData.opslimit, workerData.memlimit, sodium.crypto_pwhash_ALG_ARGON2I13);
    workerData.password.fill(0);
    parentPort.postMessage({ key });
  })
  .catch((error) => parentPort.postMessage({ failed: String((error && error.message) || error) }));
`;

/** The worker path alone, without the fallback (exported for its test). */
export function argon2iInWorker(password: string, params: Argon2iParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const sodiumPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
    const passwordBytes = new TextEncoder().encode(password);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        sodiumPath,
        password: passwordBytes,
        salt: params.salt,
        opslimit: params.opslimit,
        memlimit: params.memlimit,
        outlen: params.outlen,
      },
    });
    passwordBytes.fill(0); // the worker got its own copy
    let settled = false;
    worker.once('message', (message: { key?: Uint8Array; failed?: string }) => {
      settled = true;
      if (message.key instanceof Uint8Array) resolve(message.key);
      else reject(new Error(`Argon2i failed in the worker: ${message.failed ?? 'no key'}`));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the Argon2i worker exited with code ${code}`));
    });
  });
}
