import { describe, expect, it } from 'vitest';
import {
  SealedRequestBodySchema,
  parseSealedRequestBody,
  parseSealedResponseBody,
  sealedBodyHashOf,
  sealedRequestFields,
  sealedResponseFields,
} from './body.js';
import { SealedError, type SealedErrorCode } from './errors.js';
import { openRequest, sealRequest } from './request.js';
import { openResponse, sealResponse } from './response.js';
import { ALICE, BOB, INPUTS, SAMPLES, TV3, envelope } from './test-fixtures.js';

function codeOf(fn: () => unknown): SealedErrorCode | 'none' {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealedError) return error.code;
    throw error;
  }
  return 'none';
}

const env = envelope();
const request = sealRequest({
  validator: ALICE,
  minerHotkey: env.minerHotkey,
  nonce: env.nonce,
  uuid: env.uuid,
  timeout: env.timeout,
  inputs: INPUTS,
});

/** The base fields of wire-protocol TV-5, as a TS dendrite would serialize them for the sealed route. */
function baseFields(signature: string): Record<string, unknown> {
  return {
    name: 'MusicGenerationSealed',
    timeout: 200.0,
    total_size: 0,
    header_size: 0,
    dendrite: {
      status_code: null,
      status_message: null,
      process_time: null,
      ip: '203.0.113.7',
      port: null,
      version: 10002000,
      nonce: TV3.nonce.toString(),
      uuid: TV3.uuid,
      hotkey: TV3.validatorHotkey,
      signature,
    },
    axon: {
      status_code: null,
      status_message: null,
      process_time: null,
      ip: '198.51.100.20',
      port: 8091,
      version: null,
      nonce: null,
      uuid: null,
      hotkey: TV3.minerHotkey,
      signature: null,
    },
    computed_body_hash: '',
  };
}

/** TV-5's plaintext body: what a Python dendrite (or a stripped request) would post. */
const TV5_BODY = JSON.parse(
  `{"name": "MusicGeneration", "timeout": 200.0, "total_size": 3506, "header_size": 0, "dendrite": {"status_code": null, "status_message": null, "process_time": null, "ip": "203.0.113.7", "port": null, "version": 10002000, "nonce": 1717171717123456789, "uuid": "5ecbd69c-1cec-11ee-b0dc-e29ce36fec1a", "hotkey": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "signature": "${TV3.signature}"}, "axon": {"status_code": null, "status_message": null, "process_time": null, "ip": "198.51.100.20", "port": 8091, "version": null, "nonce": null, "uuid": null, "hotkey": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "signature": null}, "computed_body_hash": "", "text_input": "Lo-fi hip hop beat with mellow piano and soft rain", "model_name": "facebook/musicgen-medium", "music_output": null, "duration": 755}`,
) as Record<string, unknown>;

describe('sealed request body', () => {
  it('is the synapse JSON with the sealed fields emptied and the payload in sealed_payload', () => {
    const body = { ...baseFields(request.signature), ...sealedRequestFields(request) };
    const wire = JSON.parse(JSON.stringify(body)) as unknown;
    const parsed = parseSealedRequestBody(wire);
    expect(parsed.sealed_payload).toBe(request.sealedPayload);
    expect(parsed.text_input).toBe('');
    expect(sealedBodyHashOf(parsed)).toBe(request.bodyHash);
    expect(Object.keys(sealedRequestFields(request))).toEqual([
      'text_input',
      'model_name',
      'music_output',
      'duration',
      'sealed_payload',
    ]);
    // The miner opens what the body and the headers carry.
    const opened = openRequest({
      miner: BOB,
      envelope: env,
      bodyHash: request.bodyHash,
      signature: request.signature,
      sealedPayload: parsed.sealed_payload,
    });
    expect(opened.inputs).toEqual(INPUTS);
  });

  it('accepts a body whose optional sealed fields are left out, and unknown extra keys', () => {
    const body = { ...baseFields(request.signature), text_input: '', sealed_payload: request.sealedPayload, extra: 1 };
    expect(parseSealedRequestBody(body).sealed_payload).toBe(request.sealedPayload);
    expect(SealedRequestBodySchema.safeParse(body).success).toBe(true);
  });

  it('refuses plaintext on the sealed route as a downgrade', () => {
    const sealed = { ...baseFields(request.signature), ...sealedRequestFields(request) };
    const smuggled: Record<string, unknown>[] = [
      { ...sealed, text_input: 'a prompt in the clear' },
      { ...sealed, model_name: 'facebook/musicgen-medium' },
      { ...sealed, duration: 755 },
      { ...sealed, music_output: [0.1] },
      { ...sealed, sealed_payload: undefined },
      { ...sealed, sealed_payload: null },
      TV5_BODY,
    ];
    for (const body of smuggled) expect(codeOf(() => parseSealedRequestBody(body))).toBe('downgrade');
  });

  it('refuses a body that is not a sealed request', () => {
    const sealed: Record<string, unknown> = { ...baseFields(request.signature), ...sealedRequestFields(request) };
    const broken: unknown[] = [
      null,
      [],
      'text',
      { ...sealed, sealed_payload: 'not base64!' },
      { ...sealed, sealed_payload: '' },
      { ...sealed, sealed_payload: 'QUJD\n' },
      { ...sealed, text_input: undefined },
      { ...sealed, dendrite: { ...(sealed['dendrite'] as object), port: 'x' } },
    ];
    for (const body of broken) expect(codeOf(() => parseSealedRequestBody(body))).toBe('malformed');
  });
});

describe('sealed response body', () => {
  const opened = openRequest({
    miner: BOB,
    envelope: env,
    bodyHash: request.bodyHash,
    signature: request.signature,
    sealedPayload: request.sealedPayload,
  });
  const response = sealResponse({ miner: BOB, request: opened, outputs: { music_output: SAMPLES } });
  const body = {
    ...baseFields(request.signature),
    axon: { ...(baseFields('')['axon'] as object), status_code: 200, status_message: 'Success', process_time: 12.5 },
    ...sealedResponseFields(response),
  };

  it('carries the payload and the miner signature, and opens on the validator side', () => {
    const parsed = parseSealedResponseBody(JSON.parse(JSON.stringify(body)));
    expect(parsed.sealed_signature).toBe(response.signature);
    const outputs = openResponse({
      validator: ALICE,
      request,
      sealedPayload: parsed.sealed_payload,
      signature: parsed.sealed_signature,
    });
    expect(outputs.music_output).toEqual(SAMPLES);
  });

  it('refuses a plaintext answer to a sealed request as a downgrade', () => {
    const plaintext = {
      ...body,
      music_output: Array.from(SAMPLES),
      sealed_payload: undefined,
      sealed_signature: undefined,
    };
    expect(codeOf(() => parseSealedResponseBody(plaintext))).toBe('downgrade');
    expect(codeOf(() => parseSealedResponseBody({ ...body, music_output: [0.5] }))).toBe('downgrade');
    expect(codeOf(() => parseSealedResponseBody({ ...TV5_BODY, music_output: [0.5] }))).toBe('downgrade');
  });

  it('refuses an unsigned or badly signed response body', () => {
    expect(codeOf(() => parseSealedResponseBody({ ...body, sealed_signature: undefined }))).toBe('bad_signature');
    expect(codeOf(() => parseSealedResponseBody({ ...body, sealed_signature: 'deadbeef' }))).toBe('malformed');
  });
});
