/**
 * Names, labels and limits of sealed synapse v1 (docs/sealed-synapse.md). Changing any label or
 * layout is a wire break: bump {@link SEALED_VERSION} and the labels with it.
 */

/** The synapse class name of the sealed route; Python axons do not know it and answer 404. */
export const SEALED_SYNAPSE_NAME = 'MusicGenerationSealed';
/** `POST` path of the sealed route (wire-protocol §3.1: `/<SynapseClassName>`). */
export const SEALED_ROUTE = `/${SEALED_SYNAPSE_NAME}`;
/** The plaintext route every Python peer speaks (wire-protocol §7). */
export const PLAINTEXT_SYNAPSE_NAME = 'MusicGeneration';
export const PLAINTEXT_ROUTE = `/${PLAINTEXT_SYNAPSE_NAME}`;

/** First byte of every sealed payload. */
export const SEALED_VERSION = 1;

/** Second byte of every sealed payload, and part of the key schedule and the AD. */
export const DIRECTION_BYTE = { request: 0x01, response: 0x02 } as const;

/** HKDF info prefix; the AD label; the two HKDF output labels. ASCII. */
export const KDF_LABEL = 'bittaudio/sealed-synapse/v1/kdf';
export const AD_LABEL = 'bittaudio/sealed-synapse/v1/ad';
export const AEAD_KEY_LABEL = 'aead-key';
export const COMMITMENT_LABEL = 'key-commitment';

/** Payload layout (bytes): version 1, direction 1, context 16, commitment 32, AEAD nonce 24, then ciphertext ‖ tag 16. */
export const CONTEXT_TAG_LENGTH = 16;
export const COMMITMENT_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 24;
export const AEAD_TAG_LENGTH = 16;
export const PAYLOAD_HEADER_LENGTH = 2 + CONTEXT_TAG_LENGTH + COMMITMENT_LENGTH + AEAD_NONCE_LENGTH;
export const PAYLOAD_OVERHEAD = PAYLOAD_HEADER_LENGTH + AEAD_TAG_LENGTH;

/**
 * Largest request plaintext we seal or open: validators send prompts of ≤ 256 characters
 * (wire-protocol §7.1), so 16 KiB is generous and keeps a hostile request from costing much.
 */
export const MAX_REQUEST_PLAINTEXT = 16 * 1024;
/**
 * Largest response plaintext: 30 s at 32 kHz is 960 000 float32 samples (3.84 MB); 64 MiB leaves
 * room for several minutes without letting a miner exhaust a validator's memory.
 */
export const MAX_RESPONSE_PLAINTEXT = 64 * 1024 * 1024;

/** The two model names the SN50 synapse accepts (wire-protocol §7.1), defined with the synapse. */
export { MUSIC_MODEL_NAMES, type MusicModelName } from '../../../src-shared/synapse/music-generation.js';
