/**
 * Status codes and messages, one table for the axon (wire-protocol §4.9) and one for the dendrite
 * (§5.3). The texts are Python's where Python has one, so logs and validators read the same words.
 */
import { randomUUID } from 'node:crypto';
import { pythonFloatRepr, pythonRepr } from './python-text.js';

/** A request the axon answers with an error status instead of calling the handler. */
export class AxonRejection extends Error {
  override readonly name = 'AxonRejection';
  constructor(
    readonly status: number,
    readonly statusMessage: string,
    /** Extra response headers (Retry-After, Allow). */
    readonly extraHeaders: [string, string][] = [],
    /** Why, for the log only (never sent: 500s show only an id). */
    readonly detail?: string,
  ) {
    super(statusMessage);
  }
}

/** The body of FastAPI's 422 (§4.9: `{"detail": […]}`, no `message`, no bt headers). */
export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
  constructor(
    readonly detail: unknown[],
    message: string,
  ) {
    super(message);
  }
}

export const axonErrors = {
  unknownRoute: (name: string, available: readonly string[]) =>
    new AxonRejection(404, `Synapse name '${name}' not found. Available synapses ${pythonRepr(available)}`),
  methodNotAllowed: (method: string) =>
    new AxonRejection(405, `Method ${method} is not allowed; use POST`, [['allow', 'POST']]),
  /** Python hides the cause behind an id (§4.9); the id goes into our log with the cause. */
  internal: (detail: string) => new AxonRejection(500, `Internal Server Error #${randomUUID()}`, [], detail),
  notVerified: (detail: string) => new AxonRejection(401, `Not Verified with error: ${detail}`),
  blacklisted: (reason: string) => new AxonRejection(403, `Forbidden. Key is blacklisted: ${reason}.`),
  bodyTooLarge: (limit: number) => new AxonRejection(413, `Request body larger than ${limit} bytes`),
  busy: (retryAfterSeconds: number, why: string) =>
    new AxonRejection(503, `Service busy: ${why}; retry after ${retryAfterSeconds} s`, [
      ['retry-after', String(retryAfterSeconds)],
    ]),
  /** §4.6/§4.9: the priority timeout text; here, the request waited in line past its timeout. */
  timedOutInQueue: (timeoutSeconds: number) =>
    new AxonRejection(408, `Response timeout after: ${pythonFloatRepr(timeoutSeconds)}s`),
};

export function malformedJson(error: string, position: number): MalformedBodyError {
  return new MalformedBodyError(
    [{ type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error } }],
    `JSON decode error: ${error}`,
  );
}

export function unsupportedMediaType(contentType: string): MalformedBodyError {
  return new MalformedBodyError(
    [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: contentType,
      },
    ],
    `Content-Type ${contentType} is not application/json`,
  );
}

/** Every status the axon can answer with, for tests and documentation. */
export const AXON_STATUS_CODES = [200, 401, 403, 404, 405, 408, 413, 422, 500, 503] as const;

/** Dendrite-side outcomes that never travel on the wire (§5.3). */
export const dendriteErrors = {
  unavailable: (ip: string, port: number, name: string) => ({
    status: 503,
    message: `Service unavailable at ${ip}:${port}/${name}`,
  }),
  timeout: (timeoutSeconds: number) => ({
    status: 408,
    message: `Request timeout after ${pythonFloatRepr(timeoutSeconds)} seconds`,
  }),
  disconnected: (detail: string) => ({ status: 503, message: `Service disconnected: ${detail}` }),
  payload: (detail: string) => ({ status: 400, message: `Payload error: ${detail}` }),
  clientError: (detail: string) => ({ status: 500, message: `Client error: ${detail}` }),
  unparsable: (detail: string) => ({ status: 422, message: `Failed to parse response: ${detail}` }),
};
