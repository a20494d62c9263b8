import { sr25519Verify } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { sha3Hex, toBase64, utf8 } from './bytes.js';
import { associatedData, checkEnvelope, signatureMessage, type SealedEnvelope } from './envelope.js';
import { SealedError, sealedErrorStatus, type SealedErrorCode } from './errors.js';
import { deriveRequestKey, hotkeyOf, type Sr25519Keypair } from './keys.js';
import { sealPayload } from './payload.js';
import { openRequest, sealRequest, type OpenRequestArgs, type SealedRequest } from './request.js';
import { openResponse, sealResponse, type OpenResponseArgs, type SealedResponse } from './response.js';
import { signMessage, verifyMessage } from './signature.js';
import { ALICE, BOB, CHARLIE, DAVE, INPUTS, SAMPLES, TV3, envelope } from './test-fixtures.js';

function codeOf(fn: () => unknown): SealedErrorCode | 'none' {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealedError) return error.code;
    throw error;
  }
  return 'none';
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] ?? 0) ^ 0x80;
  return out;
}

function seal(overrides: Partial<SealedEnvelope> = {}, validator: Sr25519Keypair = ALICE): SealedRequest {
  const env = envelope(overrides);
  return sealRequest({
    validator,
    minerHotkey: env.minerHotkey,
    nonce: env.nonce,
    uuid: env.uuid,
    timeout: env.timeout,
    inputs: INPUTS,
  });
}

/** What the miner's axon hands to openRequest for a request as it was sent. */
function asReceived(sealed: SealedRequest, miner: Sr25519Keypair = BOB): OpenRequestArgs {
  return {
    miner,
    envelope: sealed.envelope,
    bodyHash: sealed.bodyHash,
    signature: sealed.signature,
    sealedPayload: sealed.sealedPayload,
  };
}

/**
 * The strongest request forger: it holds the validator's key and signs whatever it sends (a
 * malicious or buggy validator, or a Python axon ≥ 9.3 that skips missing signatures). Whatever
 * fails then fails because of the payload's own bindings, not the signature.
 */
function resigned(env: SealedEnvelope, payload: Uint8Array, signer: Sr25519Keypair = ALICE): OpenRequestArgs {
  const bodyHash = sha3Hex(payload);
  return {
    miner: BOB,
    envelope: env,
    bodyHash,
    signature: signMessage(signer, signatureMessage(env, bodyHash)),
    sealedPayload: toBase64(payload),
  };
}

function respond(request: SealedRequest, samples: Float32Array | null = SAMPLES): SealedResponse {
  const opened = openRequest(asReceived(request));
  return sealResponse({ miner: BOB, request: opened, outputs: { music_output: samples } });
}

function responseArgs(
  request: SealedRequest,
  response: Pick<SealedResponse, 'sealedPayload' | 'signature'>,
): OpenResponseArgs {
  return { validator: ALICE, request, sealedPayload: response.sealedPayload, signature: response.signature };
}

describe('round trip', () => {
  it('the miner opens what the validator sealed, and the validator opens the answer', () => {
    const request = seal();
    const opened = openRequest(asReceived(request));
    expect(opened.inputs).toEqual(INPUTS);
    expect(opened.bodyHash).toBe(request.bodyHash);
    const response = sealResponse({ miner: BOB, request: opened, outputs: { music_output: SAMPLES } });
    const outputs = openResponse(responseArgs(request, response));
    expect(Buffer.from(outputs.music_output?.buffer ?? new ArrayBuffer(0)).equals(Buffer.from(SAMPLES.buffer))).toBe(
      true,
    );
  });

  it('carries a null music_output too', () => {
    const request = seal();
    expect(openResponse(responseArgs(request, respond(request, null)))).toEqual({ music_output: null });
  });

  it('works for any hotkey pair, including a validator querying its own axon', () => {
    for (const [validator, miner] of [
      [DAVE, CHARLIE],
      [BOB, ALICE],
      [ALICE, ALICE],
    ] as const) {
      const request = sealRequest({
        validator,
        minerHotkey: hotkeyOf(miner),
        nonce: 1n,
        uuid: 'u',
        timeout: null,
        inputs: INPUTS,
      });
      const opened = openRequest({ ...asReceived(request), miner });
      const response = sealResponse({ miner, request: opened, outputs: { music_output: Float32Array.of(0.25) } });
      expect(
        openResponse({ validator, request, sealedPayload: response.sealedPayload, signature: response.signature }),
      ).toEqual({ music_output: Float32Array.of(0.25) });
    }
  });

  it('never puts the prompt on the wire, and gives a fresh ciphertext each time', () => {
    const a = seal();
    const b = seal();
    for (const sealed of [a, b]) {
      expect(Buffer.from(sealed.ciphertext).includes(Buffer.from('mellow piano'))).toBe(false);
      expect(sealed.sealedPayload).not.toContain('mellow');
    }
    expect(a.sealedPayload).not.toBe(b.sealedPayload);
  });
});

describe('the request signature covers the ciphertext (closing wire-protocol §8)', () => {
  it('signs the standard message with sha3-256 of the sealed payload as body hash', () => {
    const request = seal();
    expect(request.bodyHash).toBe(sha3Hex(request.ciphertext));
    expect(request.bodyHash).not.toBe(TV3.emptyBodyHash);
    expect(request.signatureMessage).toBe(
      `${TV3.nonce}.${TV3.validatorHotkey}.${TV3.minerHotkey}.${TV3.uuid}.${request.bodyHash}`,
    );
    expect(
      sr25519Verify(utf8(request.signatureMessage), Buffer.from(request.signature.slice(2), 'hex'), ALICE.publicKey),
    ).toBe(true);
  });

  it('uses the message format and signature encoding of wire-protocol TV-3', () => {
    const env = envelope();
    expect(signatureMessage(env, TV3.emptyBodyHash)).toBe(TV3.message);
    expect(verifyMessage(TV3.message, TV3.signature, ALICE.publicKey)).toBe(true);
    expect(verifyMessage(TV3.message, TV3.signature, BOB.publicKey)).toBe(false);
  });

  it('the response signature is the miner hotkey over nonce.validator.miner.uuid.sha3(ciphertext)', () => {
    const request = seal();
    const response = respond(request);
    expect(response.bodyHash).toBe(sha3Hex(response.ciphertext));
    expect(response.signatureMessage).toBe(
      `${TV3.nonce}.${TV3.validatorHotkey}.${TV3.minerHotkey}.${TV3.uuid}.${response.bodyHash}`,
    );
    expect(verifyMessage(response.signatureMessage, response.signature, BOB.publicKey)).toBe(true);
  });
});

describe('tampering with a request', () => {
  it('a changed ciphertext byte breaks the body hash', () => {
    const request = seal();
    const payload = flip(request.ciphertext, request.ciphertext.length - 1);
    expect(codeOf(() => openRequest({ ...asReceived(request), sealedPayload: toBase64(payload) }))).toBe(
      'body_hash_mismatch',
    );
  });

  it('a ciphertext with a matching body hash header still needs the validator signature', () => {
    const request = seal();
    const payload = flip(request.ciphertext, 100);
    const args = { ...asReceived(request), sealedPayload: toBase64(payload), bodyHash: sha3Hex(payload) };
    expect(codeOf(() => openRequest(args))).toBe('bad_signature');
  });

  it('a changed, missing or malformed signature is refused', () => {
    const request = seal();
    const flipped = `${request.signature.slice(0, -1)}${request.signature.endsWith('0') ? '1' : '0'}`;
    for (const signature of [flipped, '', request.signature.slice(2), `${request.signature}00`, seal().signature]) {
      expect(codeOf(() => openRequest({ ...asReceived(request), signature }))).toBe('bad_signature');
    }
  });

  it('changing any envelope field that is signed breaks the signature', () => {
    const request = seal();
    const changes: Partial<SealedEnvelope>[] = [
      { nonce: TV3.nonce + 1n },
      { uuid: `${TV3.uuid}0` },
      { validatorHotkey: hotkeyOf(DAVE) }, // someone relabels the request as another validator's
    ];
    for (const change of changes) {
      const args = { ...asReceived(request), envelope: { ...request.envelope, ...change } };
      expect(codeOf(() => openRequest(args))).toBe('bad_signature');
    }
  });

  it('the unsigned timeout header is bound by the AD: stretching it is refused', () => {
    const request = seal();
    const args = { ...asReceived(request), envelope: { ...request.envelope, timeout: 10_000 } };
    expect(codeOf(() => openRequest(args))).toBe('replay');
    // The same number spelt `200.0` in the header is the same timeout.
    expect(
      openRequest({ ...asReceived(request), envelope: { ...request.envelope, timeout: Number('200.0') } }).inputs,
    ).toEqual(INPUTS);
  });

  it('a ciphertext moved into a new request (new nonce and uuid, re-signed) is a replay', () => {
    const request = seal();
    for (const change of [{ nonce: TV3.nonce + 1_000_000n }, { uuid: 'another-dendrite' }, { timeout: null }]) {
      const moved = resigned(envelope(change), request.ciphertext);
      expect(codeOf(() => openRequest(moved))).toBe('replay');
    }
  });

  it('a verbatim replay opens again: the nonce check of the shared middleware (wire-protocol §4.5) refuses it', () => {
    const request = seal();
    openRequest(asReceived(request));
    expect(openRequest(asReceived(request)).inputs).toEqual(INPUTS);
  });

  it('a payload that does not decode is malformed, a future version is unsupported', () => {
    const request = seal();
    expect(codeOf(() => openRequest({ ...asReceived(request), sealedPayload: `${request.sealedPayload}\n` }))).toBe(
      'malformed',
    );
    expect(codeOf(() => openRequest(resigned(envelope(), request.ciphertext.subarray(0, 80))))).toBe('malformed');
    // Refused by size before it is decoded, hashed or verified.
    expect(codeOf(() => openRequest({ ...asReceived(request), sealedPayload: 'AAAA'.repeat(6000) }))).toBe('malformed');
    const future = request.ciphertext.slice();
    future[0] = 2;
    expect(codeOf(() => openRequest(resigned(envelope(), future)))).toBe('unsupported_version');
  });

  it('a validator that seals non-canonical inputs gets bad_plaintext', () => {
    const env = envelope();
    const keys = checkEnvelope(env, 'invalid_input');
    const key = deriveRequestKey({
      ours: ALICE,
      ourRole: 'validator',
      theirPublicKey: BOB.publicKey,
      nonce: env.nonce,
      uuid: env.uuid,
      direction: 'request',
    });
    const payload = sealPayload({
      direction: 'request',
      key,
      ad: associatedData(env, keys, 'request'),
      plaintext: utf8('{"text_input":"x","model_name":null,"duration":null}'),
    });
    expect(codeOf(() => openRequest(resigned(env, payload)))).toBe('bad_plaintext');
  });
});

describe('wrong keys', () => {
  it('a miner other than the addressee cannot open the request (stale metagraph, forwarded request)', () => {
    const request = seal();
    expect(codeOf(() => openRequest(asReceived(request, CHARLIE)))).toBe('wrong_key');
  });

  it('a request sealed to one miner and readdressed to another fails', () => {
    const forCharlie = seal({ minerHotkey: hotkeyOf(CHARLIE) });
    // Readdressed without a new signature: the signature names Charlie.
    const readdressed = { ...asReceived(forCharlie), envelope: envelope() };
    expect(codeOf(() => openRequest(readdressed))).toBe('bad_signature');
    // Re-signed by the validator: the payload itself still says "for Charlie".
    expect(codeOf(() => openRequest(resigned(envelope(), forCharlie.ciphertext)))).toBe('replay');
  });

  it('a validator whose secret is not its hotkey gets wrong_key, even with a good signature', () => {
    // Dave's secret under Alice's name: the context matches, the key agreement does not.
    const impostor = seal({}, { publicKey: ALICE.publicKey, secretKey: DAVE.secretKey });
    expect(codeOf(() => openRequest(asReceived(impostor)))).toBe('bad_signature');
    expect(codeOf(() => openRequest(resigned(envelope(), impostor.ciphertext)))).toBe('wrong_key');
  });

  it('a request signed by a validator other than the one it names is refused', () => {
    const request = seal();
    expect(codeOf(() => openRequest(resigned(envelope(), request.ciphertext, DAVE)))).toBe('bad_signature');
  });
});

describe('tampering with a response', () => {
  it('any change to the response ciphertext breaks the miner signature', () => {
    const request = seal();
    const response = respond(request);
    const payload = flip(response.ciphertext, 90);
    expect(codeOf(() => openResponse(responseArgs(request, { ...response, sealedPayload: toBase64(payload) })))).toBe(
      'bad_signature',
    );
  });

  it('a response from another miner is refused: the signature is checked against the chain hotkey', () => {
    const request = seal();
    // Charlie answers a request it intercepted as if it had been sent to it.
    const charlieView = { envelope: envelope({ minerHotkey: hotkeyOf(CHARLIE) }), bodyHash: request.bodyHash };
    const fake = sealResponse({ miner: CHARLIE, request: charlieView, outputs: { music_output: SAMPLES } });
    expect(codeOf(() => openResponse(responseArgs(request, fake)))).toBe('bad_signature');
  });

  it('a response replayed into another request is refused', () => {
    const first = seal();
    const second = seal({ nonce: TV3.nonce + 5n });
    const answer = respond(first);
    expect(codeOf(() => openResponse(responseArgs(second, answer)))).toBe('bad_signature');
    // Even the miner itself cannot re-sign an old answer for a new request.
    const bodyHash = sha3Hex(answer.ciphertext);
    const resignedAnswer = { ...answer, signature: signMessage(BOB, signatureMessage(second.envelope, bodyHash)) };
    expect(codeOf(() => openResponse(responseArgs(second, resignedAnswer)))).toBe('replay');
  });

  it('a response binds the exact request ciphertext, not just its nonce and uuid', () => {
    const request = seal();
    const response = respond(request);
    const sibling = { ...request, bodyHash: seal().bodyHash }; // same envelope, another payload
    expect(codeOf(() => openResponse(responseArgs(sibling, response)))).toBe('replay');
  });

  it('a request payload reflected back as the response is refused, even when the hotkeys are equal', () => {
    const request = sealRequest({
      validator: ALICE,
      minerHotkey: hotkeyOf(ALICE),
      nonce: 9n,
      uuid: 'self',
      timeout: null,
      inputs: INPUTS,
    });
    expect(
      codeOf(() =>
        openResponse({ validator: ALICE, request, sealedPayload: request.sealedPayload, signature: request.signature }),
      ),
    ).toBe('replay');
  });

  it('the miner cannot seal an answer for a request addressed to someone else', () => {
    const request = seal();
    expect(codeOf(() => sealResponse({ miner: CHARLIE, request, outputs: { music_output: null } }))).toBe(
      'invalid_input',
    );
  });
});

describe('sealing refuses bad envelopes', () => {
  it('checks the nonce, uuid, timeout and hotkeys before anything is signed', () => {
    const bad: Partial<SealedEnvelope>[] = [
      { nonce: -1n },
      { nonce: 2n ** 64n },
      { uuid: '' },
      { uuid: 'has space' },
      { uuid: 'x'.repeat(129) },
      { timeout: NaN },
      { timeout: -1 },
      { minerHotkey: 'not-an-address' },
    ];
    for (const change of bad) expect(codeOf(() => seal(change))).toBe('invalid_input');
  });
});

describe('sealedErrorStatus', () => {
  it('never answers 404 on the sealed route: that would make validators fall back to plaintext', () => {
    const codes: SealedErrorCode[] = [
      'invalid_input',
      'malformed',
      'unsupported_version',
      'body_hash_mismatch',
      'bad_signature',
      'replay',
      'wrong_key',
      'bad_ciphertext',
      'bad_plaintext',
      'downgrade',
    ];
    for (const code of codes) expect(sealedErrorStatus(code)).not.toBe(404);
    expect(sealedErrorStatus('bad_signature')).toBe(401);
    expect(sealedErrorStatus('malformed')).toBe(400);
  });
});
