import { z } from 'zod';

/**
 * Why a call failed, in a form that survives every transport (IPC, WebSocket, HTTP). The code is
 * for programs, the message for people.
 */
export const ErrorCodeSchema = z.enum([
  'bad_request', // the envelope itself is not valid (not JSON, missing fields)
  'unknown_command',
  'invalid_input', // the command exists but its input fails the schema
  'protocol_mismatch',
  'unauthorized', // missing or wrong token
  'forbidden', // foreign Host or Origin, or a sender frame that is not the app
  'not_connected',
  'timeout',
  'not_found', // the thing named (a generation id, a model folder) does not exist
  'unavailable', // not possible in the engine's present state (no network yet, the miner already runs), with the reason
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ApiErrorSchema = z.strictObject({
  code: ErrorCodeSchema,
  message: z.string(),
  /** For invalid_input: where and what, one line per problem. */
  issues: z.array(z.string()).optional(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorSchema>;

export class HostApiError extends Error {
  override readonly name = 'HostApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
  }

  toJSON(): ApiErrorShape {
    return this.issues
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }

  static from(shape: ApiErrorShape): HostApiError {
    return new HostApiError(shape.code, shape.message, shape.issues);
  }
}

/** One readable line per schema problem: `limit: Too big: expected number to be <=1000`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
