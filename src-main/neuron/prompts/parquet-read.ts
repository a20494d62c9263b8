/**
 * Parquet reads for the prompt sets, each in a worker thread with a time and a memory bound
 * (parquet-read-worker.mjs says why): a damaged local file gives a clear error instead of a
 * decode that never ends on the thread the validator's rounds, the chain and the API run on.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';

/** Reading the prompt column of the reference's largest set takes well under this on a slow disk. */
export const DEFAULT_PARQUET_READ_TIMEOUT_MS = 60_000;
/** Heap of one read's thread: a set's prompt column or one row's clip fits many times over. */
export const DEFAULT_PARQUET_READ_HEAP_MB = 512;

export interface ParquetReadLimits {
  /** How long one read may take before its thread is ended. */
  readonly timeoutMs?: number;
  /** The read thread's heap limit, MB. */
  readonly heapMb?: number;
}

/** What went wrong in a read, in words for the caller to put after the file's name. */
export class ParquetReadError extends Error {
  override readonly name = 'ParquetReadError';
}

const WORKER = new URL('./parquet-read-worker.mjs', import.meta.url);

const FailedSchema = z.object({ ok: z.literal(false), error: z.string() });
const NamesSchema = z.union([z.object({ ok: z.literal(true), names: z.array(z.string().nullable()) }), FailedSchema]);
const ValuesSchema = z.union([z.object({ ok: z.literal(true), values: z.array(z.unknown()) }), FailedSchema]);

type Request = { op: 'schema' } | { op: 'column'; column: string; rowStart?: number; rowEnd?: number };

function runRead(path: string, request: Request, limits: ParquetReadLimits, signal?: AbortSignal): Promise<unknown> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_PARQUET_READ_TIMEOUT_MS;
  const heapMb = limits.heapMb ?? DEFAULT_PARQUET_READ_HEAP_MB;
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: { path, ...request },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      settle();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new ParquetReadError(
              `reading it did not finish within ${timeoutMs / 1000} s (a damaged file can keep the decoder busy without end)`,
            ),
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => finish(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (message: unknown) => finish(() => resolve(message)));
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          new ParquetReadError(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `decoding it needed more than ${heapMb} MB (a damaged file can ask for billions of values)`
              : error.message,
          ),
        ),
      ),
    );
    worker.once('exit', (code) => finish(() => reject(new ParquetReadError(`its reader stopped (exit code ${code})`))));
  });
}

/** The names of the top-level columns; null for a column whose name a damaged footer lost. */
export async function parquetColumnNames(
  path: string,
  limits: ParquetReadLimits = {},
  signal?: AbortSignal,
): Promise<(string | null)[]> {
  const answer = NamesSchema.parse(await runRead(path, { op: 'schema' }, limits, signal));
  if (!answer.ok) throw new ParquetReadError(answer.error);
  return answer.names;
}

/** One column's values, of all rows or of rows [rowStart, rowEnd). Strings come as UTF-8 bytes. */
export async function parquetColumn(
  path: string,
  column: string,
  rows: { rowStart: number; rowEnd: number } | null,
  limits: ParquetReadLimits = {},
  signal?: AbortSignal,
): Promise<unknown[]> {
  const request: Request = { op: 'column', column, ...(rows ?? {}) };
  const answer = ValuesSchema.parse(await runRead(path, request, limits, signal));
  if (!answer.ok) throw new ParquetReadError(answer.error);
  return answer.values;
}
