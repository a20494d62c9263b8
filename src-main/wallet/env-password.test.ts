import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deobfuscatePassword, obfuscatePassword, passwordEnvVarName, passwordFromEnv } from './env-password.js';
import { TV13 } from './wire-protocol-vectors.js';

describe('password from the environment (wire-protocol §9.6, TV-13)', () => {
  it('names the variable after the full key file path', () => {
    expect(passwordEnvVarName(TV13.keyfilePath)).toBe(TV13.varName);
  });

  it('obfuscates the password as base64 of password XOR the repeated name', () => {
    expect(obfuscatePassword(TV13.password, TV13.varName)).toBe(TV13.value);
    expect(deobfuscatePassword(TV13.value, TV13.varName)).toBe(TV13.password);
  });

  it('reads the password for a key file from its variable', () => {
    expect(passwordFromEnv(TV13.keyfilePath, { [TV13.varName]: TV13.value })).toBe(TV13.password);
  });

  it('finds nothing when the variable is unset, empty or not base64 of text', () => {
    expect(passwordFromEnv(TV13.keyfilePath, {})).toBeUndefined();
    expect(passwordFromEnv(TV13.keyfilePath, { [TV13.varName]: '' })).toBeUndefined();
    expect(passwordFromEnv(TV13.keyfilePath, { [TV13.varName]: 'not base64!' })).toBeUndefined();
    // 0xff XOR 'B' is not valid UTF-8 on its own
    expect(deobfuscatePassword(Buffer.from([0xff ^ 0x42]).toString('base64'), 'B')).toBeUndefined();
  });

  it('round-trips any password, longer or shorter than the name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (password) => {
        expect(deobfuscatePassword(obfuscatePassword(password, TV13.varName), TV13.varName)).toBe(password);
      }),
    );
  });
});
