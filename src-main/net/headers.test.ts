import { describe, expect, it } from 'vitest';
import { MusicGenerationSynapse, musicGeneration } from '../../src-shared/synapse/music-generation.js';
import { terminalInfo } from '../../src-shared/synapse/terminal-info.js';
import { EMPTY_BODY_HASH } from './constants.js';
import { HeaderParseError, headerMap, parseSynapseHeaders, parseTerminalHeaders, synapseHeaders } from './headers.js';
import { TV3, TV5 } from './testing/wire-vectors.js';

const tv5Headers = (): Map<string, string> => new Map(TV5.headers);

describe('synapseHeaders (to_headers, wire-protocol §3.3)', () => {
  it('writes the TV-5 header list in the generator order', () => {
    const synapse = {
      ...musicGeneration({ text_input: TV5.textInput, duration: TV5.duration }),
      timeout: 200,
      total_size: 3506,
      axon: terminalInfo({ ip: TV5.axon.ip, port: TV5.axon.port, hotkey: TV5.axon.hotkey }),
      dendrite: terminalInfo({
        ip: TV5.dendriteIp,
        version: TV5.version,
        nonce: TV3.nonce,
        uuid: TV3.uuid,
        hotkey: TV3.alice,
        signature: TV3.signature,
      }),
    };
    const headers = synapseHeaders(MusicGenerationSynapse, synapse, { bodyHash: EMPTY_BODY_HASH, totalSize: 3506 });
    expect(headers.map(([name]) => name)).toEqual(TV5.headers.map(([name]) => name));
    const expected = new Map(TV5.headers);
    for (const [name, value] of headers) {
      if (name !== 'header_size') expect(value, name).toBe(expected.get(name));
    }
    expect(headers.find(([name]) => name === 'header_size')?.[1]).toMatch(/^\d+$/);
  });

  it('leaves out the placeholder of a required field that is null', () => {
    const synapse = { ...musicGeneration({ text_input: 'x' }), text_input: null as unknown as string };
    const names = synapseHeaders(MusicGenerationSynapse, synapse, { bodyHash: EMPTY_BODY_HASH }).map(([n]) => n);
    expect(names).not.toContain('bt_header_input_obj_text_input');
  });
});

describe('parseSynapseHeaders (from_headers, wire-protocol §4.2)', () => {
  it('rebuilds the TV-5 header synapse, placeholder included', () => {
    const synapse = parseSynapseHeaders(MusicGenerationSynapse, tv5Headers());
    expect(synapse.name).toBe('MusicGeneration');
    expect(synapse.timeout).toBe(200);
    expect(synapse.text_input).toBe('');
    expect(synapse.dendrite).toEqual(
      terminalInfo({
        ip: TV5.dendriteIp,
        version: TV5.version,
        nonce: TV3.nonce,
        uuid: TV3.uuid,
        hotkey: TV3.alice,
        signature: TV3.signature,
      }),
    );
    expect(synapse.axon).toEqual(terminalInfo({ ip: TV5.axon.ip, port: 8091, hotkey: TV3.bob }));
    expect(synapse.computed_body_hash).toBe(EMPTY_BODY_HASH);
  });

  it('fails without bt_header_input_obj_text_input, as Python does ("text_input Field required")', () => {
    const headers = tv5Headers();
    headers.delete('bt_header_input_obj_text_input');
    expect(() => parseSynapseHeaders(MusicGenerationSynapse, headers)).toThrow(HeaderParseError);
  });

  it('fails on a non-integer nonce or port', () => {
    for (const [name, value] of [
      ['bt_header_dendrite_nonce', 'abc'],
      ['bt_header_dendrite_nonce', '12.5'],
      ['bt_header_axon_port', 'http'],
      ['timeout', 'soon'],
    ] as const) {
      const headers = tv5Headers();
      headers.set(name, value);
      expect(() => parseSynapseHeaders(MusicGenerationSynapse, headers), name).toThrow(HeaderParseError);
    }
  });

  it('skips an undecodable placeholder, which then counts as missing', () => {
    const headers = tv5Headers();
    headers.set('bt_header_input_obj_text_input', '!!!not base64 json');
    expect(() => parseSynapseHeaders(MusicGenerationSynapse, headers)).toThrow(HeaderParseError);
  });

  it('reads a missing timeout as null (a zero-width window)', () => {
    const headers = tv5Headers();
    headers.delete('timeout');
    expect(parseSynapseHeaders(MusicGenerationSynapse, headers).timeout).toBeNull();
  });

  it('keeps the last of duplicate headers, names lowercased', () => {
    const map = headerMap(['BT_HEADER_AXON_PORT', '1', 'bt_header_axon_port', '2']);
    expect(map.get('bt_header_axon_port')).toBe('2');
  });
});

describe('parseTerminalHeaders (response side, §5.1 step 4)', () => {
  it('reads status fields and ignores unrelated headers', () => {
    const { axon, dendrite } = parseTerminalHeaders(
      new Map([
        ['bt_header_axon_status_code', '200'],
        ['bt_header_axon_status_message', 'Success'],
        ['bt_header_axon_process_time', '12.5'],
        ['bt_header_dendrite_nonce', '1717171717123456789'],
        ['x-bittaudio-axon-signature', '0x00'],
      ]),
    );
    expect(axon.status_code).toBe(200);
    expect(axon.process_time).toBe(12.5);
    expect(dendrite.nonce).toBe(TV3.nonce);
  });

  it('throws on a status code that is not an integer', () => {
    expect(() => parseTerminalHeaders(new Map([['bt_header_axon_status_code', 'OK']]))).toThrow(HeaderParseError);
  });
});
