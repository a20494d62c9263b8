/**
 * The messages that carry the Host API over a WebSocket. IPC and HTTP reuse the result shape.
 * Both sides parse every frame they receive with these schemas.
 */
import { z } from 'zod';
import { CapabilitiesSchema } from '../schemas/wallet.js';
import { ApiErrorSchema } from './errors.js';

const CallId = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), protocol: z.number().int(), client: z.string().max(200) }),
  z.strictObject({ type: z.literal('call'), id: CallId, command: z.string().max(200), input: z.unknown() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const WelcomeSchema = z.strictObject({
  protocol: z.number().int(),
  version: z.string(),
  commands: z.array(z.string()),
  events: z.array(z.string()),
  capabilities: CapabilitiesSchema,
});
export type Welcome = z.infer<typeof WelcomeSchema>;

export const CallResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), output: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: ApiErrorSchema }),
]);
export type CallResult = z.infer<typeof CallResultSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('welcome'), ...WelcomeSchema.shape }),
  z.strictObject({ type: z.literal('result'), id: CallId, result: CallResultSchema }),
  z.strictObject({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
  /** A frame the server could not attribute to a call (not JSON, no id). */
  z.strictObject({ type: z.literal('error'), error: ApiErrorSchema }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** WebSocket subprotocols: browsers cannot set headers on an upgrade, so the token rides here. */
export const WS_PROTOCOL = 'bittaudio.v1';
export const WS_TOKEN_PREFIX = 'bittaudio-token.';

/** Paths of the daemon's API. */
export const API_BASE = '/api/v1';
export const WS_PATH = `${API_BASE}/ws`;
export const commandPath = (command: string): string => `${API_BASE}/commands/${command}`;
