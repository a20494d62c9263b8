import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WalletError } from './errors.js';
import {
  KEYFILE_FIELDS,
  parseKeyfileText,
  serializeKeyfile,
  serializeKeyfilePython7,
  type KeyfileData,
} from './keyfile-json.js';
import { TV10, TV9 } from './wire-protocol-vectors.js';

const tv9Data: KeyfileData = {
  accountId: TV9.publicKey,
  publicKey: TV9.publicKey,
  privateKey: TV9.privateKey,
  secretPhrase: TV9.mnemonic,
  secretSeed: TV9.secretSeed,
  ss58Address: TV9.ss58Address,
};

function expectWalletError(run: () => unknown, code: string): WalletError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WalletError);
    expect((error as WalletError).code).toBe(code);
    return error as WalletError;
  }
  throw new Error('expected a WalletError');
}

describe('keyfile JSON (wire-protocol §9.2)', () => {
  it('reads the Python 7 file of TV-10 (all six keys, spaced separators)', () => {
    expect(parseKeyfileText(TV10.plaintext)).toEqual(tv9Data);
  });

  it('writes the Python 7 form byte for byte (TV-10 plaintext: 564 bytes, known sha256)', () => {
    const text = serializeKeyfilePython7(tv9Data);
    expect(text).toBe(TV10.plaintext);
    expect(Buffer.byteLength(text)).toBe(564);
    expect(createHash('sha256').update(text).digest('hex')).toBe(TV10.plaintextSha256);
  });

  it('writes Python 7 nulls for missing keys, as a public-only Python file has them', () => {
    expect(serializeKeyfilePython7({ publicKey: '0x01' })).toBe(
      '{"accountId": null, "publicKey": "0x01", "privateKey": null, "secretPhrase": null, "secretSeed": null, "ss58Address": null}',
    );
    expect(serializeKeyfilePython7({ secretPhrase: 'é' })).toContain('"secretPhrase": "\\u00e9"');
  });

  it('writes as bittensor-wallet does: compact, only the keys that have values', () => {
    const text = serializeKeyfile({ publicKey: TV9.publicKey, ss58Address: TV9.ss58Address });
    expect(text).toBe(`{"publicKey":"${TV9.publicKey}","ss58Address":"${TV9.ss58Address}"}`);
    expect(text).not.toMatch(/null|\s/);
  });

  it('reads any key order, missing keys and nulls', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...KEYFILE_FIELDS]),
        fc.array(fc.constantFrom(...KEYFILE_FIELDS)),
        (present, nulled) => {
          const entries = present.map((key) => [key, nulled.includes(key) ? null : (tv9Data[key] as string)] as const);
          const parsed = parseKeyfileText(JSON.stringify(Object.fromEntries(entries)));
          const expected = Object.fromEntries(entries.filter(([, value]) => value !== null));
          expect(parsed).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores keys it does not know and treats empty strings as missing', () => {
    expect(parseKeyfileText('{"ss58Address":"5x","extra":1,"secretSeed":""}')).toEqual({ ss58Address: '5x' });
  });

  it('reads the Python 7 plaintext that is only a 0x public key', () => {
    expect(parseKeyfileText(`${TV9.publicKey.toUpperCase().replace('0X', '0x')}\n`)).toEqual({
      publicKey: TV9.publicKey,
    });
    expectWalletError(() => parseKeyfileText('0x1234'), 'corrupt_file');
  });

  it('refuses text that is not JSON without quoting it (it may hold a secret)', () => {
    const error = expectWalletError(
      () => parseKeyfileText(`{"secretPhrase": "${TV9.mnemonic}"`, 'hotkeys/x'),
      'corrupt_file',
    );
    expect(error.message).toMatch(/hotkeys\/x is not valid JSON/);
    expect(error.message).not.toContain('leopard');
  });

  it('refuses JSON that is not a key file, naming the field', () => {
    expect(expectWalletError(() => parseKeyfileText('{"secretSeed": 42}'), 'corrupt_file').message).toMatch(
      /secretSeed/,
    );
    expectWalletError(() => parseKeyfileText('[1,2]'), 'corrupt_file');
    expectWalletError(() => parseKeyfileText('null'), 'corrupt_file');
  });

  it('never fails with anything but a WalletError, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          try {
            parseKeyfileText(text);
          } catch (error) {
            expect(error).toBeInstanceOf(WalletError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
