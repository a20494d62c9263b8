/** Reading bodies with a size cap, in both directions. */
import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, type InputType } from 'node:zlib';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/** The stream ended early or broke. */
export class BodyIncompleteError extends Error {
  override readonly name = 'BodyIncompleteError';
}

/**
 * Collects a message's body. Stops reading (and rejects) once more than `limit` bytes arrived, so a
 * large or endless body costs at most `limit` bytes of memory.
 */
export function readBody(message: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      message.off('data', onData);
      message.off('end', onEnd);
      message.off('error', onError);
      message.off('aborted', onAborted);
      message.off('close', onClose);
      if (error) reject(error);
      else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        message.pause();
        finish(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, Buffer.concat(chunks, size));
    const onError = (error: Error): void => finish(new BodyIncompleteError(error.message));
    const onAborted = (): void => finish(new BodyIncompleteError('the connection closed before the body was complete'));
    const onClose = (): void => {
      if (!message.complete) onAborted();
    };
    message.on('data', onData);
    message.on('end', onEnd);
    message.on('error', onError);
    message.on('aborted', onAborted);
    message.on('close', onClose);
  });
}

/** Decompresses a gzip or deflate body without ever holding more than `limit` bytes of output. */
export function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === '' || coding === 'identity') {
    if (body.length > limit) return Promise.reject(new BodyTooLargeError(limit));
    return Promise.resolve(body);
  }
  const run = coding === 'gzip' || coding === 'x-gzip' ? gunzip : coding === 'deflate' ? inflate : undefined;
  if (!run) return Promise.reject(new BodyIncompleteError(`unsupported content-encoding ${coding}`));
  return new Promise((resolve, reject) => {
    run(body as InputType, { maxOutputLength: limit }, (error, result) => {
      if (!error) resolve(result);
      else if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        reject(new BodyTooLargeError(limit));
      else reject(new BodyIncompleteError(`cannot decode the ${coding} body: ${error.message}`));
    });
  });
}

/** Whether an Accept-Encoding value admits gzip (q > 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
