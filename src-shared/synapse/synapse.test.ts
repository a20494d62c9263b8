import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MUSIC_MODEL,
  MUSIC_GENERATION_FIELDS,
  MusicGenerationSchema,
  MusicGenerationSynapse,
  musicGeneration,
} from './music-generation.js';
import { PingSynapse, SynapseSchema, orderedSynapseFields } from './synapse.js';
import { TERMINAL_INFO_FIELDS, TerminalInfoSchema, emptyTerminalInfo } from './terminal-info.js';

describe('TerminalInfo (wire-protocol §2.1)', () => {
  it('defaults every field to null, in the wire order', () => {
    const info = TerminalInfoSchema.parse({});
    expect(Object.keys(info)).toEqual([...TERMINAL_INFO_FIELDS]);
    expect(Object.values(info).every((v) => v === null)).toBe(true);
  });

  it('converts header strings the way int() and float() do', () => {
    const info = TerminalInfoSchema.parse({
      status_code: '408',
      process_time: '12.5',
      port: 8091,
      version: '10002000',
      nonce: '1717171717123456789',
    });
    expect(info.status_code).toBe(408);
    expect(info.process_time).toBe(12.5);
    expect(info.version).toBe(10002000);
    expect(info.nonce).toBe(1717171717123456789n);
  });

  it('keeps nonces above 2^53 exact as bigint', () => {
    expect(TerminalInfoSchema.parse({ nonce: 1717171717123456789n }).nonce).toBe(1717171717123456789n);
    expect(TerminalInfoSchema.parse({ nonce: 42 }).nonce).toBe(42n);
  });

  it.each([
    ['status_code', '12.5'],
    ['status_code', 'abc'],
    ['status_code', 12.5],
    ['nonce', '1e18'],
    ['nonce', 1.5],
    ['port', true],
    ['process_time', 'fast'],
    ['hotkey', 5],
  ])('refuses %s = %j', (field, value) => {
    expect(TerminalInfoSchema.safeParse({ [field]: value }).success).toBe(false);
  });

  it('accepts integral floats for int fields, as pydantic does', () => {
    expect(TerminalInfoSchema.parse({ status_code: 200.0 }).status_code).toBe(200);
  });
});

describe('MusicGeneration (wire-protocol §7.1)', () => {
  it('has the base fields then its own, in Python declaration order', () => {
    const parsed = MusicGenerationSchema.parse({ text_input: 'x' });
    expect(Object.keys(parsed)).toEqual([...MUSIC_GENERATION_FIELDS]);
  });

  it('fills Python defaults', () => {
    const parsed = MusicGenerationSchema.parse({ text_input: 'rain' });
    expect(parsed).toMatchObject({
      name: 'MusicGeneration',
      timeout: 12.0,
      total_size: 0,
      header_size: 0,
      computed_body_hash: '',
      model_name: DEFAULT_MUSIC_MODEL,
      music_output: null,
      duration: null,
    });
    expect(parsed.dendrite).toEqual(emptyTerminalInfo());
    expect(parsed.axon).toEqual(emptyTerminalInfo());
  });

  it('forces the name to the class name whatever is sent', () => {
    expect(MusicGenerationSchema.parse({ text_input: 'x', name: 'Evil' }).name).toBe('MusicGeneration');
    expect(SynapseSchema.parse({ name: 42 }).name).toBe('Synapse');
  });

  it('requires text_input', () => {
    expect(MusicGenerationSchema.safeParse({ duration: 755 }).success).toBe(false);
    expect(MusicGenerationSchema.safeParse({ text_input: 5 }).success).toBe(false);
  });

  it('accepts only the two MusicGen models, or null', () => {
    expect(MusicGenerationSchema.parse({ text_input: 'x', model_name: 'facebook/musicgen-large' }).model_name).toBe(
      'facebook/musicgen-large',
    );
    expect(MusicGenerationSchema.parse({ text_input: 'x', model_name: null }).model_name).toBeNull();
    expect(MusicGenerationSchema.safeParse({ text_input: 'x', model_name: 'facebook/musicgen-small' }).success).toBe(
      false,
    );
  });

  it('takes music_output as a number list or a Float32Array, finite only', () => {
    expect(MusicGenerationSchema.parse({ text_input: 'x', music_output: [0, -0.5, 1] }).music_output).toEqual([
      0, -0.5, 1,
    ]);
    const samples = new Float32Array([0.25, -0.25]);
    expect(MusicGenerationSchema.parse({ text_input: 'x', music_output: samples }).music_output).toBe(samples);
    expect(MusicGenerationSchema.safeParse({ text_input: 'x', music_output: [[0.1], [0.2]] }).success).toBe(false);
    expect(MusicGenerationSchema.safeParse({ text_input: 'x', music_output: ['0.1'] }).success).toBe(false);
    expect(
      MusicGenerationSchema.safeParse({ text_input: 'x', music_output: new Float32Array([Number.NaN]) }).success,
    ).toBe(false);
  });

  it('reads duration as an integer token count', () => {
    expect(MusicGenerationSchema.parse({ text_input: 'x', duration: 755 }).duration).toBe(755);
    expect(MusicGenerationSchema.parse({ text_input: 'x', duration: '1510' }).duration).toBe(1510);
    expect(MusicGenerationSchema.safeParse({ text_input: 'x', duration: 15.5 }).success).toBe(false);
  });

  it('treats a null dendrite/axon as an empty TerminalInfo', () => {
    const parsed = MusicGenerationSchema.parse({ text_input: 'x', dendrite: null });
    expect(parsed.dendrite).toEqual(emptyTerminalInfo());
  });

  it('ignores unknown keys', () => {
    expect('extra' in MusicGenerationSchema.parse({ text_input: 'x', extra: 1 })).toBe(false);
  });

  it('builds a validator request with the defaults (musicGeneration)', () => {
    const synapse = musicGeneration({ text_input: 'piano', duration: 755 });
    expect(MusicGenerationSchema.parse(synapse)).toEqual(synapse);
    expect(MusicGenerationSynapse.requiredFields).toEqual([{ name: 'text_input', placeholderJson: '""' }]);
    expect(MusicGenerationSynapse.hashFields).toEqual([]);
  });

  it('orders fields for the body like model_dump, nulls included', () => {
    const ordered = orderedSynapseFields(MusicGenerationSynapse, { duration: 1, text_input: 'x' });
    expect(Object.keys(ordered)).toEqual([...MUSIC_GENERATION_FIELDS]);
    expect(ordered['music_output']).toBeNull();
    expect(Object.keys(orderedSynapseFields(PingSynapse, { name: 'Synapse' }))).toHaveLength(7);
  });
});
