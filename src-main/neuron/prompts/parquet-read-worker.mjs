/**
 * One Parquet read in a worker thread (parquet-read.ts starts it, one thread per read). hyparquet
 * can run without end on a damaged file: a level or dictionary run whose length decodes to
 * billions (an RLE run written past its array, a bit-packed run of width 0 whose count never
 * reaches zero) keeps a synchronous loop busy, and nothing on the same thread could stop it. Here
 * it runs under a memory limit, and the parent ends the thread when it takes too long.
 *
 * Plain JavaScript beside the source, copied beside the bundles by scripts/build-main.mjs (as
 * probe-child.mjs is), so the same file runs under the tests and in the app.
 *
 * workerData: { path, op: 'schema' } → { names: (string | null)[] }
 *             { path, op: 'column', column, rowStart?, rowEnd? } → { values: unknown[] }
 * Posts { ok: true, ...result } or { ok: false, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';

async function read(request) {
  const file = await asyncBufferFromFile(request.path);
  const metadata = await parquetMetadataAsync(file);
  if (request.op === 'schema') {
    // A damaged footer can decode into a schema tree that does not hold together; names may be absent.
    const names = parquetSchema(metadata).children.map((child) =>
      typeof child.element.name === 'string' ? child.element.name : null,
    );
    return { names };
  }
  const rows = await parquetReadObjects({
    file,
    metadata,
    columns: [request.column],
    utf8: false,
    ...(request.rowStart === undefined ? {} : { rowStart: request.rowStart, rowEnd: request.rowEnd }),
  });
  return { values: rows.map((row) => row[request.column]) };
}

read(workerData).then(
  (result) => parentPort?.postMessage({ ok: true, ...result }),
  (error) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
);
