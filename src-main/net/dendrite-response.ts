/**
 * How a dendrite folds an axon's answer into its synapse (wire-protocol §5.1, §5.2), as the Python
 * dendrite does, so downstream logic (BittAudio's scoring and punishment) sees the same values.
 */
import type { AnySynapse, SynapseDefinition } from '../../src-shared/synapse/synapse.js';
import { TERMINAL_INFO_FIELDS, type TerminalInfo } from '../../src-shared/synapse/terminal-info.js';
import { BodyCodecError, decodeSynapseBody } from './body-codec.js';
import { HeaderParseError, parseTerminalHeaders } from './headers.js';

/** A response that cannot be understood (the Python dendrite's catch-all: status 422, §5.3). */
export class ResponseParseError extends Error {
  override readonly name = 'ResponseParseError';
}

export interface RawResponse {
  status: number;
  /** Lowercased names. */
  headers: ReadonlyMap<string, string>;
  /** Already decompressed. */
  body: Buffer;
}

/** aiohttp's `response.json()` accepts only a JSON media type (§5.1 step 1). */
export function isJsonContentType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type !== undefined && /^application\/[a-z0-9.+-]*\+json$/.test(type));
}

function overrideNonNull(target: TerminalInfo, source: TerminalInfo): TerminalInfo {
  const out: Record<string, unknown> = { ...target };
  for (const field of TERMINAL_INFO_FIELDS) if (source[field] !== null) out[field] = source[field];
  return out as TerminalInfo;
}

/**
 * Applies one HTTP answer to a copy of `local` (the synapse as sent). Throws ResponseParseError for
 * anything the Python dendrite would map to 422. `process_time` is set by the caller.
 */
export function applyResponse<T extends AnySynapse>(
  definition: SynapseDefinition<T>,
  local: T,
  response: RawResponse,
): T {
  if (!isJsonContentType(response.headers.get('content-type'))) {
    throw new ResponseParseError(
      `expected a JSON response, got content-type ${response.headers.get('content-type') ?? '(none)'} with status ${response.status}`,
    );
  }
  let json: Record<string, unknown>;
  try {
    json = decodeSynapseBody(response.body);
  } catch (error) {
    if (error instanceof BodyCodecError) throw new ResponseParseError(error.message);
    throw error;
  }
  let result: T;
  if (response.status === 200) {
    // §5.1 steps 2–3: validate, then copy every field but the frozen computed_body_hash, so
    // `dendrite` and `axon` are replaced wholesale.
    const server = definition.schema.safeParse(json);
    if (!server.success) {
      const detail = server.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new ResponseParseError(`the body is not a valid ${definition.name}: ${detail}`);
    }
    const merged: Record<string, unknown> = { ...local };
    for (const field of definition.fields) {
      if (field !== 'computed_body_hash') merged[field] = (server.data as Record<string, unknown>)[field];
    }
    result = merged as T;
  } else {
    // §5.2: the HTTP status, and the `message` of the JSON body.
    const message = json['message'];
    result = {
      ...local,
      axon: {
        ...local.axon,
        status_code: response.status,
        status_message: typeof message === 'string' ? message : null,
      },
    };
  }
  // §5.1 step 4: non-null header values override, read with the base Synapse's rules.
  let fromHeaders: { axon: TerminalInfo; dendrite: TerminalInfo };
  try {
    fromHeaders = parseTerminalHeaders(response.headers);
  } catch (error) {
    if (error instanceof HeaderParseError) throw new ResponseParseError(error.message);
    throw error;
  }
  const axon = overrideNonNull(result.axon, fromHeaders.axon);
  const dendrite = overrideNonNull(result.dendrite, fromHeaders.dendrite);
  // §5.1 step 5.
  dendrite.status_code = axon.status_code;
  dendrite.status_message = axon.status_message;
  return { ...result, axon, dendrite };
}
